package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Command probe on the real distribution: with etc/io.midway.probe.command.cfg allowing one
 * command, an ECC record runs it without a shell and gets its output; a command not on the list
 * ends in error with the reason.
 */
public class CommandProbeIT {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    static AgentAndInstance midway;

    @BeforeClass
    public static void start() throws Exception {
        midway = AgentAndInstance.start("e2e-command", false, copy -> Files.writeString(
                copy.resolve("etc/io.midway.probe.command.cfg"), "allowed = echo=/bin/echo\ntimeout.ms = 10000\n"));
    }

    @AfterClass
    public static void stop() throws Exception {
        if (midway != null) {
            midway.close();
        }
    }

    @Test
    public void anAllowedCommandRunsWithoutAShellAndOthersAreRefused() throws Exception {
        JsonNode ran = run("echo", "hello $(id) ; x");
        assertEquals(ran.toString(), "processed", ran.path("state").asText());
        assertEquals(ran.toString(), 0, ran.path("payload").path("exit_code").asInt());
        assertEquals("the arguments reach the command as they are, no shell", "hello $(id) ; x\n",
                ran.path("payload").path("stdout").asText());

        JsonNode refused = run("rm", "-rf");
        assertEquals(refused.toString(), "error", refused.path("state").asText());
        assertTrue(refused.toString(), refused.path("error_string").asText()
                .contains("command 'rm' is not allowed on this agent; allowed: echo"));
    }

    /** Inserts a Command record and waits for its input (the probe may still be starting). */
    static JsonNode run(String command, String argument) throws Exception {
        ObjectNode payload = Http.JSON.createObjectNode();
        payload.put("command", command);
        payload.putArray("args").add(argument);
        return midway.probe("Command", command, payload);
    }
}
