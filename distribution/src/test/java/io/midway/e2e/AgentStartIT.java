package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * How the agent starts and stops on the real distribution (issue 18 points 1 and 2), checked by
 * what it does rather than by how long it takes (bin/bench measures that): it maps the class data
 * sharing archive its distribution was built with; run without a terminal it holds no Gogo shell
 * session and no idle thread pools of the components it has not used; its console still answers;
 * stopped (SIGTERM, as a service manager stops it) it tells the instance it is Down at once, and
 * started again on the same data folder it is Up again.
 */
@org.junit.FixMethodOrder(org.junit.runners.MethodSorters.NAME_ASCENDING) // the last one stops the agent
public class AgentStartIT {

    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    static AgentAndInstance midway;

    @BeforeClass
    public static void start() throws Exception {
        midway = AgentAndInstance.start("e2e-start", false, copy -> { });
    }

    @AfterClass
    public static void stop() throws Exception {
        if (midway != null) {
            midway.close();
        }
    }

    @Test
    public void a_theAgentMapsItsClassDataSharingArchive() throws Exception {
        Path archive = Path.of(System.getProperty("midway.dist")).resolve("lib/cds/agent.jsa");
        assertTrue("the build made " + archive, Files.size(archive) > 1_000_000);
        long pid = midway.agent.jvmPid();
        String maps = Files.readString(Path.of("/proc/" + pid + "/maps"));
        // the JVM keeps the archive mapped only when it took it (same JDK, same jars)
        assertTrue("the agent JVM maps lib/cds/agent.jsa", maps.contains("lib/cds/agent.jsa"));
    }

    @Test
    public void b_withoutATerminalTheAgentRunsNoShellSessionAndNoUnusedClients() throws Exception {
        long pid = midway.agent.jvmPid();
        Wait.until(Duration.ofSeconds(30), "the agent's console answering", () -> {
            try {
                return midway.agentConsole(midway.agentName).send("GET", "/system/console/bundles.json", null)
                        .statusCode() == 200;
            } catch (java.io.IOException e) {
                return false;
            }
        }, midway.instance, midway.agent);
        java.util.List<String> threads = threadNames(pid);
        assertFalse("no Gogo shell session without a terminal: " + threads,
                threads.stream().anyMatch(t -> t.startsWith("session-")));
        assertFalse("the SSH client is made at its first command: " + threads,
                threads.stream().anyMatch(t -> t.startsWith("sshd-")));
        assertFalse("the SNMP session is opened at its first request: " + threads,
                threads.stream().anyMatch(t -> t.startsWith("DefaultUDPTrans")));
        assertEquals("one HTTP client (the instance's) until a probe calls HTTP: " + threads, 1,
                threads.stream().filter(t -> t.startsWith("HttpClient-") && t.contains("-Se")).count()); // names are cut at 15
        assertTrue("Event Admin runs two threads, not twenty: " + threads,
                threads.stream().filter(t -> t.startsWith("EventAdminAsync")).count() <= 2);
    }

    @Test
    public void c_aStoppedAgentIsDownAtOnceAndUpAgainWhenStarted() throws Exception {
        assertEquals("Up", midway.agentRecord().path("status").asText());
        midway.agent.stop(Duration.ofSeconds(30)); // SIGTERM: the JVM ends with 143 after its clean stop
        assertFalse(midway.agent.isAlive());
        // at once: the heartbeat timeout (minutes) would be the only other way
        assertEquals("a stopped agent tells the instance before it ends", "Down",
                midway.agentRecord().path("status").asText());
        MidwayProcess again = midway.startAgentAgain(2);
        Wait.until(Duration.ofSeconds(60), "the agent Up again", () -> "Up".equals(midway.agentRecord().path("status")
                .asText()), midway.instance, again);
    }

    /** @return the names of a process's threads, from /proc */
    private static java.util.List<String> threadNames(long pid) throws java.io.IOException {
        java.util.List<String> names = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    names.add(Files.readString(t.resolve("comm")).strip());
                } catch (java.io.IOException gone) {
                    // the thread ended
                }
            }
        }
        return names;
    }
}
