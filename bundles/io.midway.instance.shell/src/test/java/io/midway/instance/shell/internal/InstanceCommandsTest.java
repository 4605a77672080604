package io.midway.instance.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.midway.instance.internal.AgentCoreRepository;
import io.midway.instance.internal.FileSyncService;
import io.midway.instance.internal.SingletonJobs;
import io.midway.instance.internal.ServiceFixture;
import io.midway.instance.internal.TestBundles;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.AgentResults;
import io.midway.instance.api.AgentResult;
import io.midway.wire.Json;

/**
 * The instance's read-only commands in a real Gogo command processor over a real instance on H2:
 * what an operator sees of agents, the queue, selection, files, cores and nodes.
 */
public class InstanceCommandsTest extends ServiceFixture {

    private static final List<String> FUNCTIONS = List.of("agents", "queue", "events", "select", "files", "cores", "nodes");

    private FileSyncService files;
    private AgentCoreRepository cores;
    private CommandProcessorImpl processor;
    private CommandSession session;
    private SingletonJobs jobs;

    @Before
    public void setUpShell() {
        files = new FileSyncService(service.core(), tmp.getRoot().toPath().resolve("files"), FileSyncService.MAX_FILE_BYTES);
        cores = new AgentCoreRepository(service.core(), tmp.getRoot().toPath().resolve("cores"), AgentCoreRepository.MAX_CORE_BYTES);
        processor = new CommandProcessorImpl(null);
        jobs = new SingletonJobs(service.core());
        InstanceCommands commands = new InstanceCommands(service.core(), service.agents(), service.outputs(), service.events(), service.selection(), files, cores, jobs);
        for (String f : FUNCTIONS) {
            processor.addCommand("instance", commands, f);
        }
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
    }

    @After
    public void tearDown() {
        session.close();
        processor.stop();
        jobs.stop();
    }

    private String run(String line) throws Exception {
        Object result = session.execute(line);
        return result == null ? "" : result.toString();
    }

    @Test
    public void agentsListsEveryAgentWithItsState() throws Exception {
        assertTrue(run("instance:agents"), run("instance:agents").startsWith("no agents"));
        register("dc-1");
        register("dc-2");
        String out = run("agents");
        String[] lines = out.split("\n");
        assertTrue(out, lines[0].matches("NAME\\s+STATUS\\s+VALIDATED\\s+VERSION\\s+HOST\\s+IP\\s+CLUSTER\\s+CAPABILITIES\\s+LAST REFRESHED"));
        assertTrue(out, lines[1].matches("dc-1\\s+Up\\s+yes\\s+1\\.0\\.0\\s+dc-1\\.example\\s+127\\.0\\.0\\.1\\s+\\S+\\s+.*tcp.*"));
        assertTrue(out, lines[2].startsWith("dc-2 "));
        assertEquals("2 agents", lines[3]);
        assertTrue(run("agents x"), run("agents x").contains("usage:"));
    }

    @Test
    public void queueCountsByQueueAndStateAndShowsTheMostRecent() throws Exception {
        register("dc-1");
        QueueRecord answered = insert("dc-1", "TCPScan", 2);
        insert("dc-1", "HTTPRequest", 2);
        insert("dc-1", "Command", 2);
        assertEquals(3, service.polls().poll("dc-1", 1).result().size() + 2);
        service.polls().input(new AgentResults(List.of(new AgentResult(answered.sysId(), null, null, null,
                Json.mapper().getNodeFactory().textNode("ok"), QueueRecord.STATE_PROCESSED, null))));
        String out = run("instance:queue");
        String[] lines = out.split("\n");
        assertTrue(out, lines[0].matches("QUEUE\\s+READY\\s+PROCESSING\\s+PROCESSED\\s+ERROR\\s+ALL"));
        assertTrue(out, lines[1].matches("output\\s+2\\s+0\\s+1\\s+0\\s+3"));
        assertTrue(out, lines[2].matches("input\\s+0\\s+0\\s+1\\s+0\\s+1"));
        assertTrue(out, out.contains("SYS_ID") && out.contains(answered.sysId()) && out.contains("HTTPRequest"));
        assertTrue("by topic: " + out, out.matches("(?s).*QUEUE\\s+TOPIC\\s+STATE\\s+RECORDS\n"
                + "output\\s+Command\\s+ready\\s+1\n"
                + "output\\s+HTTPRequest\\s+ready\\s+1\n"
                + "output\\s+TCPScan\\s+processed\\s+1\n"
                + "input\\s+TCPScan\\s+processed\\s+1\n.*"));
        String one = run("queue 1");
        assertEquals("the counts, the topics, a header and one record: " + one, 12, one.split("\n").length);
        assertTrue(run("queue 5000"), run("queue 5000").contains("from 0 to 1000"));
        assertTrue(run("queue a b"), run("queue a b").contains("usage:"));
    }

    @Test
    public void eventsShowsTheNewestFirst() throws Exception {
        assertEquals("no events yet", run("instance:events"));
        register("dc-1");
        register("dc-2");
        String out = run("events");
        String[] lines = out.split("\n");
        assertTrue(out, lines[0].matches("SEQ\\s+TIME\\s+EVENT\\s+AGENT\\s+DETAIL"));
        assertTrue(out, lines[1].matches("\\d+\\s+2026-03-01 10:00:00\\s+mid_server\\.up\\s+dc-2\\s+.*"));
        assertTrue(out, lines[2].contains("dc-1"));
        assertEquals(2, run("events 1").split("\n").length);
        assertTrue(run("events 0"), run("events 0").contains("from 1 to 1000"));
    }

    @Test
    public void selectExplainsTheChoice() throws Exception {
        register("dc-1");
        String out = run("instance:select Discovery");
        assertTrue(out, out.startsWith("no agent\nalgorithm new\nstep 1: "));
        assertTrue(out, out.contains("no agent serves application 'Discovery' or ALL"));
        String refused = run("select Discovery not-an-ip");
        assertTrue(refused, refused.startsWith("cannot select: "));
    }

    @Test
    public void filesAndCoresListTheRepositories() throws Exception {
        assertTrue(run("instance:files"), run("instance:files").startsWith("no files (revision "));
        Path jar = TestBundles.bundle(tmp.getRoot().toPath().resolve("probe.jar"), "com.example.probe", "1.2.0");
        try (InputStream in = Files.newInputStream(jar)) {
            files.upload(in, Files.size(jar), "probe", null);
        }
        String listed = run("files");
        assertTrue(listed, listed.matches("(?s)SYMBOLIC NAME\\s+VERSION.*\ncom\\.example\\.probe\\s+1\\.2\\.0\\s+probe\\s+.*\nrevision \\d+"));

        assertTrue(run("cores"), run("cores").contains("no cores"));
        Path core = TestBundles.bundle(tmp.getRoot().toPath().resolve("core.jar"), AgentCoreRepository.CORE_SYMBOLIC_NAME, "1.3.0");
        try (InputStream in = Files.newInputStream(core)) {
            cores.upload(in, Files.size(core));
        }
        String out = run("instance:cores");
        assertTrue(out, out.startsWith("instance version 1.3.0\n"));
        assertTrue(out, out.matches("(?s).*\n1\\.3\\.0\\s+io\\.midway\\.agent\\s+\\d+\\s+\\w{12}\\s+\\S+ \\S+\\s+0\\s+yes"));
    }

    @Test
    public void nodesSaysWhoRunsTheJobs() throws Exception {
        String out = run("instance:nodes");
        assertTrue(out, out.startsWith("1 node: this process") && out.contains(dbDir.toString()));
        assertTrue(out, out.contains("1 node alive; singleton jobs (heartbeat monitor, lease reaper, failover): node "
                + jobs.nodeId()));
        String[] lines = out.split("\n");
        assertTrue(out, lines[3].matches("node\\s+host\\s+pid\\s+version\\s+started\\s+last seen\\s+state\\s+jobs"));
        assertTrue(out, lines[4].matches(java.util.regex.Pattern.quote(jobs.nodeId() + " (this)") + "\\s+\\S+\\s+"
                + ProcessHandle.current().pid() + "\\s+1\\.2\\.3\\s+\\S+ \\S+\\s+now\\s+alive\\s+yes"));
        assertEquals(out, 5, lines.length);
    }
}
