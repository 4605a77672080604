package io.midway.wire;

import static io.midway.wire.AgentSettingSpec.Type.BOOLEAN;
import static io.midway.wire.AgentSettingSpec.Type.INT;
import static io.midway.wire.AgentSettingSpec.Type.LIST;
import static io.midway.wire.AgentSettingSpec.Type.LONG;
import static io.midway.wire.AgentSettingSpec.Type.STRING;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.midway.wire.AgentSettingSpec.Type;

/**
 * Every setting of an agent that has a name outside its host: the one table behind the instance's
 * {@code ecc_agent_property} and {@code ecc_agent_config} records (which may set only the
 * {@linkplain AgentSettingSpec#central() central} ones, within their range) and behind the agent's
 * display of where each value comes from. The README's "Agent settings" table lists the same.
 */
public final class AgentSettingCatalog {

    /** The pid of the agent core's settings, whose keys are used as names without a prefix. */
    public static final String AGENT_PID = "io.midway.agent";
    private static final String PREFIX = "io.midway.";

    private static final String IDENTITY = "it is the agent's identity or its way to the instance: a wrong value"
            + " from the instance could cut the only channel that can repair it";
    private static final String LOCAL_PATH = "it is a path on the agent's host";
    private static final String LOCAL_SECRET = "it is a secret of the agent's host";

    private static final Map<String, AgentSettingSpec> BY_NAME;

    static {
        List<AgentSettingSpec> all = new ArrayList<>();
        all.add(spec(AGENT_PID, "threads.interactive", INT, 1L, 1000L, "10", true,
                "Worker threads for interactive work (priority 0 and interactive topics)."));
        all.add(spec(AGENT_PID, "threads.expedited", INT, 1L, 1000L, "20", true,
                "Worker threads for expedited work (priority 1)."));
        all.add(spec(AGENT_PID, "threads.standard", INT, 1L, 1000L, "25", true,
                "Worker threads for standard work (priority 2)."));
        all.add(spec(AGENT_PID, "queue.per.thread", INT, 0L, 1000L, "4", true,
                "Records a pool may hold waiting, per thread, before the agent polls for less."));
        all.add(spec(AGENT_PID, "poll.wait.ms", LONG, 0L, 600_000L, "30000", true,
                "How long a poll waits on the instance for work (the instance caps it)."));
        all.add(spec(AGENT_PID, "result.batch.size", INT, 1L, 10_000L, "100", true,
                "Results posted to the instance in one request, at most."));
        all.add(local(AGENT_PID, "instance.url", "https://localhost:8443", IDENTITY, "The instance's address."));
        all.add(local(AGENT_PID, "agent.name", "", IDENTITY, "The agent's name (default: the host name)."));
        all.add(local(AGENT_PID, "agent.user", "mid", IDENTITY, "The user the agent logs in as."));
        all.add(local(AGENT_PID, "agent.password", "", IDENTITY, "The agent's password."));
        all.add(local(AGENT_PID, "spool.dir", "", LOCAL_PATH, "Where results wait to be sent (default <data>/spool)."));
        all.add(spec("io.midway.agent.cleaner", "enabled", BOOLEAN, null, null, "true", true,
                "Whether the File Cleaner runs."));
        all.add(spec("io.midway.agent.cleaner", "max.age.days", INT, 1L, 3650L, "7", true,
                "The File Cleaner removes unused files older than this."));
        all.add(spec("io.midway.agent.cleaner", "interval.hours", INT, 1L, 8760L, "24", true,
                "Hours between two runs of the File Cleaner."));
        all.add(local("io.midway.agent.upgrader", "upgrade.health.seconds", "60",
                "a change restarts the upgrader, which would cut an upgrade in progress",
                "How long a new core must stay healthy before it is kept."));
        all.add(spec("io.midway.protocol.http", "connect.timeout.ms", INT, 1L, 300_000L, "10000", false,
                "HTTP probes: how long a connection may take."));
        all.add(local("io.midway.protocol.http", "truststore.path", "", LOCAL_PATH,
                "HTTP probes: the trust anchors for HTTPS (default: the JDK's)."));
        all.add(local("io.midway.protocol.http", "truststore.password", "", LOCAL_SECRET,
                "HTTP probes: the trust store's password."));
        all.add(spec("io.midway.protocol.snmp", "varbinds.per.request", INT, 1L, 1000L, "50", false,
                "SNMP probes: variables asked in one request."));
        all.add(spec("io.midway.protocol.snmp", "walk.max.duration.ms", LONG, 1000L, 3_600_000L, "120000", false,
                "SNMP probes: the longest a walk may take."));
        all.add(local("io.midway.protocol.ssh", "known_hosts.path", "etc/known_hosts", LOCAL_PATH,
                "SSH probes: the known hosts file."));
        all.add(local("io.midway.protocol.ssh", "host_key.policy", "accept-new",
                "host-key trust is decided on the agent's host (off would disable it silently)",
                "SSH probes: strict, accept-new or off."));
        all.add(spec("io.midway.probe.ssh", "privileged.commands", LIST, null, null, "", true,
                "SSHCommand: programs that run with sudo when the credential allows it."));
        all.add(spec("io.midway.probe.command", "timeout.ms", LONG, 1L, 86_400_000L, "60000", false,
                "Command probe: the longest a command may run."));
        all.add(spec("io.midway.probe.command", "max.output.bytes", INT, 0L, 20_971_520L, "1048576", false,
                "Command probe: output kept per command, at most."));
        all.add(local("io.midway.probe.command", "allowed", "",
                "it maps names to programs on the agent's host: from the instance it would run any program there",
                "Command probe: name=/absolute/path of each command it may run."));
        all.add(local("io.midway.probe.command", "working.dir", "", LOCAL_PATH,
                "Command probe: the commands' working folder."));
        all.add(spec("io.midway.probe.tcp", "max.parallel.connects", INT, 1L, 1024L, "64", false,
                "TCPScan: connections tried at the same time."));
        all.add(local("io.midway.agent.signing", "required", "false",
                "it decides which code the agent's host runs: an instance could turn it off and then push any jar",
                "Whether plug-ins and cores must be signed by an allowed signer."));
        all.add(local("io.midway.agent.signing", "signers", "",
                "it decides which code the agent's host runs: an instance could allow its own key",
                "SHA-256 fingerprints of the allowed signers' certificates."));
        all.add(local("io.midway.credential.store", "credentials.dir", "", LOCAL_PATH,
                "Where the agent keeps its key pair and credentials."));
        all.add(local("io.midway.credential.vaultfile", "path", "${midway.data}/vault.json", LOCAL_PATH,
                "The vault file the vault-file resolver reads."));
        Map<String, AgentSettingSpec> byName = new LinkedHashMap<>();
        for (AgentSettingSpec s : all) {
            byName.put(s.name(), s);
        }
        BY_NAME = Collections.unmodifiableMap(byName);
    }

    private AgentSettingCatalog() {
    }

    private static AgentSettingSpec spec(String pid, String key, Type type, Long min, Long max, String dflt,
            boolean live, String description) {
        return new AgentSettingSpec(nameOf(pid, key), pid, key, type, min, max, dflt, description, null, live);
    }

    private static AgentSettingSpec local(String pid, String key, String dflt, String why, String description) {
        return new AgentSettingSpec(nameOf(pid, key), pid, key, STRING, null, null, dflt, description, why, false);
    }

    /**
     * @param pid a Config Admin pid on the agent
     * @param key a key in it
     * @return the setting's name outside the agent
     */
    public static String nameOf(String pid, String key) {
        if (pid.equals(AGENT_PID)) {
            return key;
        }
        return (pid.startsWith(PREFIX) ? pid.substring(PREFIX.length()) : pid) + "." + key;
    }

    /** @return every setting, in the README's order */
    public static List<AgentSettingSpec> all() {
        return List.copyOf(BY_NAME.values());
    }

    /**
     * @param name a setting's name
     * @return the setting, or empty when there is none of that name
     */
    public static Optional<AgentSettingSpec> find(String name) {
        return Optional.ofNullable(name == null ? null : BY_NAME.get(name));
    }

    /**
     * @param pid a Config Admin pid
     * @param key a key in it
     * @return the setting, or empty when the catalog does not list it
     */
    public static Optional<AgentSettingSpec> find(String pid, String key) {
        return find(nameOf(pid, key));
    }

    /**
     * Checks a value the instance is asked to store for agents.
     *
     * @param name the setting's name
     * @param value the value
     * @return the value normalised
     * @throws IllegalArgumentException naming the setting and the rule broken: an unknown name, a
     *     setting only the agent's host may set, a wrong type or a value out of range
     */
    public static String validateCentral(String name, String value) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is required: one of the agent settings (" + centralNames() + ")");
        }
        AgentSettingSpec spec = find(name.trim()).orElseThrow(() -> new IllegalArgumentException(
                "unknown agent setting '" + printable(name) + "'; the instance can set " + centralNames()));
        if (!spec.central()) {
            throw new IllegalArgumentException(spec.name() + " cannot be set from the instance: " + spec.localOnly()
                    + "; set it on the agent's host (etc/" + spec.pid() + ".cfg or the environment)");
        }
        return spec.validate(value);
    }

    /** @return the names the instance may set, comma-separated */
    public static String centralNames() {
        return BY_NAME.values().stream().filter(AgentSettingSpec::central).map(AgentSettingSpec::name)
                .collect(Collectors.joining(", "));
    }

    private static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }
}
