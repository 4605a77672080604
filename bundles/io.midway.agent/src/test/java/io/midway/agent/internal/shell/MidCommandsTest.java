package io.midway.agent.internal.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;

import org.junit.Test;

import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.MidAgent;
import io.midway.api.agent.PoolDTO;

public class MidCommandsTest {

    /** A MidAgent with a fixed status whose pause/resume succeed or fail as told. */
    static final class StubAgent implements MidAgent {
        String failure;
        String lastCall;

        @Override
        public AgentStatusDTO status() {
            AgentStatusDTO s = new AgentStatusDTO();
            s.name = "m1";
            s.version = "0.1.0";
            s.instanceUrl = "http://localhost:8080";
            s.connection = "connected";
            s.status = "Up";
            s.validated = true;
            s.lastContact = "2026-11-21T10:00:00Z";
            s.probes = new String[] {"Echo", "TCPScan"};
            PoolDTO p = new PoolDTO();
            p.name = "interactive";
            p.threads = 10;
            p.active = 1;
            p.queued = 2;
            p.completed = 42;
            s.pools = new PoolDTO[] {p};
            s.spooled = 3;
            s.processed = 40;
            s.failed = 2;
            return s;
        }

        @Override
        public void pause() throws IOException {
            call("pause");
        }

        @Override
        public void resume() throws IOException {
            call("resume");
        }

        private void call(String what) throws IOException {
            lastCall = what;
            if (failure != null) {
                throw new IOException(failure);
            }
        }
    }

    @Test
    public void statusIsAReadableBlock() {
        String out = new MidCommands(new StubAgent()).status();
        assertTrue(out, out.contains("Name          m1"));
        assertTrue(out, out.contains("Instance      http://localhost:8080"));
        assertTrue(out, out.contains("Connection    connected"));
        assertTrue(out, out.contains("Validated     yes"));
        assertTrue(out, out.contains("Last error    -"));
        assertTrue(out, out.contains("Probes        Echo, TCPScan"));
        assertTrue(out, out.matches("(?s).*interactive\\s+10\\s+1\\s+2\\s+42.*"));
        assertTrue(out, out.contains("Spooled       3"));
        assertTrue(out, out.contains("Processed     40"));
        assertTrue(out, out.contains("Failed        2"));
    }

    @Test
    public void pauseAndResumeConfirmOrSayWhyNot() {
        StubAgent agent = new StubAgent();
        MidCommands commands = new MidCommands(agent);
        assertTrue(commands.pause().startsWith("Agent 'm1' is paused"));
        assertEquals("pause", agent.lastCall);
        assertTrue(commands.resume().startsWith("Agent 'm1' is resumed"));
        assertEquals("resume", agent.lastCall);
        agent.failure = "cannot reach instance http://localhost:8080: ConnectException";
        assertEquals("Could not pause: cannot reach instance http://localhost:8080: ConnectException",
                commands.pause());
    }
}
