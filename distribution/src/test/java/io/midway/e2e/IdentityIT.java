package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One identity per agent on the real distribution: a fresh agent enrolls by itself with the shared
 * agent password, keeps its own identity sealed in an owner-only file, and from then on the
 * shared password can neither act for it nor take its name over.
 */
public class IdentityIT {

    /** A hung step fails within minutes, not at CI's limit. */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    private static final String AGENT = "ident-a";

    static AgentAndInstance midway;

    @BeforeClass
    public static void start() throws Exception {
        midway = AgentAndInstance.start(AGENT, false, null);
    }

    @AfterClass
    public static void stop() throws Exception {
        if (midway != null) {
            midway.close();
        }
    }

    @Test
    public void anAgentEnrollsByItselfAndTheSharedPasswordCannotActForIt() throws Exception {
        Path file = midway.agentData(AGENT).resolve("agent.identity");
        // written at once (in clear while a first start still makes the key), then sealed for the key
        Wait.until(Duration.ofSeconds(60), "the agent keeps its identity sealed", () -> Files.isRegularFile(file)
                && Files.readString(file).matches("(?s).*password=encrypted\\\\?:.*"), midway.agent);
        assertEquals("owner-only", "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String stored = Files.readString(file);
        assertTrue("the user is the agent's own: " + stored, stored.contains("user=mid.server." + AGENT));
        assertTrue("the password stays sealed for the agent's key: " + stored,
                stored.contains("password=encrypted\\:") || stored.contains("password=encrypted:"));

        JsonNode users = midway.admin.json("/api/now/table/sys_user?sysparm_query=agent=" + AGENT).path("result");
        assertEquals(users.toString(), 1, users.size());
        assertEquals("mid.server." + AGENT, users.get(0).path("user_name").asText());
        assertFalse("never a password", users.toString().contains("password"));

        Http shared = new Http(midway.admin.base(), "mid", midway.sharedAgentPassword());
        HttpResponse<String> poll = shared.get("/api/mid/ecc/poll?agent=" + AGENT);
        assertEquals(poll.body(), 403, poll.statusCode());
        HttpResponse<String> takeover = shared.send("POST", "/api/mid/agents/register",
                "{\"name\":\"" + AGENT + "\",\"version\":\"6.6.6\"}");
        assertEquals(takeover.body(), 403, takeover.statusCode());
        assertEquals("the record is untouched", false, "6.6.6".equals(midway.agentRecord().path("version").asText()));

        // The agent itself still works, as its own user.
        JsonNode answer = midway.probe("TCPScan", "ident", scan(Ports.free()));
        assertEquals(answer.toString(), "processed", answer.path("state").asText());
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode scan(int port) {
        com.fasterxml.jackson.databind.node.ObjectNode p = Http.JSON.createObjectNode();
        p.put("host", "127.0.0.1");
        p.putArray("ports").add(port);
        return p;
    }
}
