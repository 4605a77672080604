package io.midway.instance.shell.internal;

import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.midway.console.support.shell.CommandUsage;
import io.midway.instance.api.CoreRepository;
import io.midway.instance.api.AgentRegistry;
import io.midway.instance.api.InstanceEvents;
import io.midway.instance.api.InstanceStatus;
import io.midway.instance.api.EccQueue;
import io.midway.instance.api.AgentSelection;
import io.midway.instance.api.FileRepository;
import io.midway.instance.api.InstanceException;
import io.midway.instance.api.Selection;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.InstanceNodes;
import io.midway.instance.api.NodeRow;
import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;

/**
 * The instance's Gogo commands for what an operator looks at first (issue 15 point 7):
 * {@code instance:agents}, {@code instance:queue}, {@code instance:events}, {@code instance:select}, {@code instance:files},
 * {@code instance:cores}, {@code instance:nodes}. Read-only; each prints a table or a short text,
 * and wrong arguments print the usage.
 */
@Component(service = InstanceCommands.class, property = {
    "osgi.command.scope=instance",
    "osgi.command.function=agents",
    "osgi.command.function=queue",
    "osgi.command.function=events",
    "osgi.command.function=select",
    "osgi.command.function=files",
    "osgi.command.function=cores",
    "osgi.command.function=nodes",
})
public class InstanceCommands {

    /** The queues and states of the ECC queue, in the order shown. */
    static final List<String> QUEUES = List.of("output", "input");
    static final List<String> STATES = List.of("ready", "processing", "processed", "error");
    /** Records shown by {@code instance:queue} when no number is given. */
    static final int RECENT = 10;

    private final InstanceStatus core;
    private final AgentRegistry agents;
    private final EccQueue queue;
    private final InstanceEvents events;
    private final AgentSelection selection;
    private final FileRepository files;
    private final CoreRepository cores;
    private final InstanceNodes jobs;

    /**
     * @param core the instance core (its database)
     * @param agents the agent registry
     * @param queue the ECC queue
     * @param events the events
     * @param selection the agent selection
     * @param files the file-sync repository
     * @param cores the agent cores
     * @param jobs this node's singleton jobs, and the instance nodes
     */
    @Activate
    public InstanceCommands(@Reference(name = "core") InstanceStatus core, @Reference(name = "agents") AgentRegistry agents,
            @Reference(name = "queue") EccQueue queue, @Reference(name = "events") InstanceEvents events,
            @Reference(name = "selection") AgentSelection selection,
            @Reference(name = "files") FileRepository files, @Reference(name = "cores") CoreRepository cores,
            @Reference(name = "jobs") InstanceNodes jobs) {
        this.core = core;
        this.agents = agents;
        this.queue = queue;
        this.events = events;
        this.selection = selection;
        this.files = files;
        this.cores = cores;
        this.jobs = jobs;
    }

    /** @return every agent */
    @Descriptor("list the agents: name, status, validated, version, host, cluster, capabilities, last refreshed")
    public String agents() {
        List<Agent> agents = this.agents.agents(TableQuery.all(TableSchema.ECC_AGENT));
        if (agents.isEmpty()) {
            return "no agents: an agent appears at its first registration (bin/agent)";
        }
        TextTable table = new TextTable("NAME", "STATUS", "VALIDATED", "VERSION", "HOST", "IP", "CLUSTER",
                "CAPABILITIES", "LAST REFRESHED");
        for (Agent a : agents) {
            table.row(a.name(), a.status(), a.validated() ? "yes" : "no", a.version(), a.hostName(), a.ipAddress(),
                    a.cluster(), TextTable.cut(String.join(",", a.capabilities() == null ? List.of() : a.capabilities()), 60),
                    a.lastRefreshed());
        }
        return table + "\n" + agents.size() + (agents.size() == 1 ? " agent" : " agents");
    }

    /** @param wrong the arguments given @return the usage */
    @Descriptor("wrong arguments: prints the usage")
    public String agents(String... wrong) {
        return CommandUsage.of(this, "instance", "agents", wrong);
    }

    /** Events shown by {@code instance:events} when no number is given. */
    static final int EVENTS = 20;

    /** @return the queue's counts and its most recent records */
    @Descriptor("the ECC queue: records by queue and state, by topic, and the 10 most recent")
    public String queue() {
        return queue(RECENT);
    }

    /**
     * @param recent how many of the most recent records to show
     * @return the queue's counts and its most recent records
     */
    @Descriptor("the ECC queue: records by queue and state, by topic, and the given number of most recent ones")
    public String queue(@Descriptor("how many recent records to show (0-1000)") int recent) {
        if (recent < 0 || recent > 1000) {
            return "instance:queue takes a number of recent records from 0 to 1000, not " + recent;
        }
        TextTable counts = new TextTable("QUEUE", "READY", "PROCESSING", "PROCESSED", "ERROR", "ALL");
        for (String queue : QUEUES) {
            Object[] row = new Object[STATES.size() + 2];
            row[0] = queue;
            long all = 0;
            for (int i = 0; i < STATES.size(); i++) {
                long n = this.queue.count(TableQuery.parse(TableSchema.ECC_QUEUE, "queue=" + queue + "^state=" + STATES.get(i),
                        null, null, null));
                row[i + 1] = n;
                all += n;
            }
            row[row.length - 1] = all;
            counts.row(row);
        }
        StringBuilder out = new StringBuilder(counts.toString());
        List<io.midway.instance.api.TopicCount> byTopic = queue.queueByTopic();
        if (!byTopic.isEmpty()) {
            TextTable topics = new TextTable("QUEUE", "TOPIC", "STATE", "RECORDS");
            for (io.midway.instance.api.TopicCount t : byTopic) {
                topics.row(t.queue(), t.topic(), t.state(), t.count());
            }
            out.append("\n\n").append(topics);
        }
        if (recent > 0) {
            List<QueueRecord> records = queue.records(TableQuery.parse(TableSchema.ECC_QUEUE, "ORDERBYDESCsys_created_on",
                    null, Integer.toString(recent), null));
            out.append("\n\n");
            if (records.isEmpty()) {
                out.append("no records yet");
            } else {
                TextTable table = new TextTable("SYS_ID", "QUEUE", "STATE", "AGENT", "TOPIC", "NAME", "CREATED", "RESPONSE TO");
                for (QueueRecord r : records) {
                    table.row(r.sysId(), r.queue(), r.state(), r.agent(), r.topic(), TextTable.cut(r.name(), 40),
                            r.sysCreatedOn(), r.responseTo());
                }
                out.append(table);
            }
        }
        return out.toString();
    }

    /** @param wrong the arguments given @return the usage */
    @Descriptor("wrong arguments: prints the usage")
    public String queue(String... wrong) {
        return CommandUsage.of(this, "instance", "queue", wrong);
    }

    /** @return the newest events */
    @Descriptor("the 20 newest events (mid_server.up, .down, .rekey, file sync, upgrades …), newest first")
    public String events() {
        return events(EVENTS);
    }

    /**
     * @param count how many events
     * @return the newest events
     */
    @Descriptor("the given number of newest events, newest first")
    public String events(@Descriptor("how many events to show (1-1000)") int count) {
        if (count < 1 || count > 1000) {
            return "instance:events takes a number of events from 1 to 1000, not " + count;
        }
        List<io.midway.instance.api.InstanceEvent> events = this.events.latestEvents(count);
        if (events.isEmpty()) {
            return "no events yet";
        }
        TextTable table = new TextTable("SEQ", "TIME", "EVENT", "AGENT", "DETAIL");
        for (io.midway.instance.api.InstanceEvent e : events) {
            table.row(e.seq(), e.time(), e.name(), e.agent(), TextTable.cut(e.detail(), 100));
        }
        return table.toString();
    }

    /** @param wrong the arguments given @return the usage */
    @Descriptor("wrong arguments: prints the usage")
    public String events(String... wrong) {
        return CommandUsage.of(this, "instance", "events", wrong);
    }

    /**
     * @param application the application of the work, e.g. Discovery or ALL
     * @return which agent would take work for it, and why
     */
    @Descriptor("explain which agent would take work for an application (MID selection), step by step")
    public String select(@Descriptor("the application, e.g. Discovery or ALL") String application) {
        return select(application, "", "");
    }

    /**
     * @param application the application
     * @param ip the target address
     * @return the choice and why
     */
    @Descriptor("explain which agent would take work for an application and a target IP")
    public String select(@Descriptor("the application") String application,
            @Descriptor("the target IP address") String ip) {
        return select(application, ip, "");
    }

    /**
     * @param application the application
     * @param ip the target address, may be empty
     * @param capability the capability the work needs
     * @return the choice and why
     */
    @Descriptor("explain which agent would take work for an application, a target IP and a capability")
    public String select(@Descriptor("the application") String application,
            @Descriptor("the target IP address, or \"\"") String ip,
            @Descriptor("the capability, e.g. SSHCommand") String capability) {
        Selection s;
        try {
            s = selection.select(application, ip, capability, null);
        } catch (InstanceException e) {
            return "cannot select: " + e.getMessage() + (e.detail() == null || e.detail().isEmpty() ? "" : " (" + e.detail() + ")");
        }
        return (s.isChosen() ? "agent " + s.agent() : "no agent") + "\n" + s.explanation();
    }

    /** @param wrong the arguments given @return the usage */
    @Descriptor("wrong arguments: prints the usage")
    public String select(String... wrong) {
        return CommandUsage.of(this, "instance", "select", wrong);
    }

    /** @return the file-sync repository */
    @Descriptor("the file-sync repository: the plug-in bundles pushed to every agent, and its revision")
    public String files() {
        FileRepository.Listing listing = files.listing();
        if (listing.files().isEmpty()) {
            return "no files (revision " + listing.revision() + "): upload one with POST /api/mid/admin/files";
        }
        TextTable table = new TextTable("SYMBOLIC NAME", "VERSION", "KIND", "NAME", "SIZE", "SHA-256", "UPLOADED", "DOWNLOADS");
        for (FileRepository.Listed f : listing.files()) {
            table.row(f.file().symbolicName(), f.file().version(), f.file().kind(), f.file().name(), f.file().size(),
                    f.file().sha256().substring(0, Math.min(12, f.file().sha256().length())), f.uploadedOn(), f.downloads());
        }
        return table + "\nrevision " + listing.revision();
    }

    /** @param wrong the arguments given @return the usage */
    @Descriptor("wrong arguments: prints the usage")
    public String files(String... wrong) {
        return CommandUsage.of(this, "instance", "files", wrong);
    }

    /** @return the agent cores and the published version */
    @Descriptor("the agent cores uploaded for in-place upgrade, and the version the instance asks agents to run")
    public String cores() {
        CoreRepository.Overview overview = cores.overview();
        StringBuilder out = new StringBuilder("instance version " + (overview.version() == null ? "none (agents keep their core)"
                : overview.version()));
        if (overview.cores().isEmpty()) {
            return out.append("\nno cores: upload one with POST /api/mid/admin/upgrade").toString();
        }
        TextTable table = new TextTable("VERSION", "SYMBOLIC NAME", "SIZE", "SHA-256", "UPLOADED", "DOWNLOADS", "PUBLISHED");
        for (CoreRepository.Listed c : overview.cores()) {
            table.row(c.core().version(), c.core().symbolicName(), c.core().size(),
                    c.core().sha256().substring(0, Math.min(12, c.core().sha256().length())), c.uploadedOn(), c.downloads(),
                    c.core().version().equals(overview.version()) ? "yes" : "");
        }
        return out.append('\n').append(table).toString();
    }

    /** @param wrong the arguments given @return the usage */
    @Descriptor("wrong arguments: prints the usage")
    public String cores(String... wrong) {
        return CommandUsage.of(this, "instance", "cores", wrong);
    }

    /** @return the instance nodes and which holds the singleton jobs */
    @Descriptor("the instance nodes serving this database (alive ones first), and which one runs the singleton jobs")
    public String nodes() {
        StringBuilder out = new StringBuilder();
        if ("h2".equals(core.databaseEngine())) {
            out.append("1 node: this process, on the embedded H2 database ").append(core.databaseLocation())
                    .append("\nit runs every job itself (heartbeat monitor, lease reaper, failover); several nodes need PostgreSQL\n");
        } else {
            out.append("the PostgreSQL database ").append(core.databaseLocation()).append('\n');
        }
        List<InstanceNodes.Node> nodes = jobs.nodes();
        long now = System.currentTimeMillis();
        TextTable table = new TextTable("node", "host", "pid", "version", "started", "last seen", "state", "jobs");
        for (InstanceNodes.Node n : nodes) {
            NodeRow r = n.row();
            table.row(r.id() + (n.self() ? " (this)" : ""), TextTable.cut(r.host(), 40), r.pid(), r.version(),
                    time(r.startedMs()), n.self() ? "now" : ago(now - r.lastSeenMs()), n.alive() ? "alive" : "gone",
                    n.runsJobs() ? "yes" : "");
        }
        String holder = InstanceNodes.jobsHolder(nodes).orElse(null);
        long alive = nodes.stream().filter(InstanceNodes.Node::alive).count();
        out.append(alive).append(alive == 1 ? " node alive" : " nodes alive");
        if (alive < nodes.size()) {
            out.append(", ").append(nodes.size() - alive).append(" gone (not seen for ")
                    .append(InstanceNodes.GONE_AFTER.toSeconds()).append(" s)");
        }
        out.append("; singleton jobs (heartbeat monitor, lease reaper, failover): ")
                .append(holder == null ? "no node runs them yet (a node takes them within seconds)" : "node " + holder)
                .append('\n').append(table);
        return out.toString();
    }

    private static String time(long epochMs) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .format(java.time.Instant.ofEpochMilli(epochMs).atZone(java.time.ZoneId.systemDefault()));
    }

    private static String ago(long ms) {
        long s = Math.max(0, ms) / 1000;
        return s < 120 ? s + " s ago" : s < 7200 ? s / 60 + " min ago" : s / 3600 + " h ago";
    }

    /** @param wrong the arguments given @return the usage */
    @Descriptor("wrong arguments: prints the usage")
    public String nodes(String... wrong) {
        return CommandUsage.of(this, "instance", "nodes", wrong);
    }
}
