package io.midway.agent.internal.work;

import io.midway.agent.internal.lifecycle.Supervisor;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SystemCommandResponderTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path log() {
        return tmp.getRoot().toPath().resolve("agent.log");
    }

    private static String lines(int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i <= to; i++) {
            b.append("line ").append(i).append('\n');
        }
        return b.toString();
    }

    @Test
    public void grabLogsAnswersTheLastLinesAcrossTheRotatedFile() throws Exception {
        Files.writeString(log().resolveSibling("agent.log.1"), lines(1, 100));
        Files.writeString(log(), lines(101, 130));
        Map<String, Object> answer = new SystemCommandResponder(log()).answer(Map.of("command", "grab_logs", "lines", 50));
        assertEquals("grab_logs", answer.get("command"));
        assertEquals("agent.log", answer.get("file"));
        assertEquals(50, answer.get("line_count"));
        assertEquals(false, answer.get("truncated"));
        String text = (String) answer.get("log");
        assertTrue(text, text.startsWith("line 81\n"));
        assertTrue(text, text.endsWith("line 130"));
        // the default is 500 lines: here all 130
        assertEquals(130, new SystemCommandResponder(log()).answer(Map.of("command", "grab_logs")).get("line_count"));
    }

    @Test
    public void theAnswerIsBoundedInBytes() throws Exception {
        String longLine = "x".repeat(1000) + "\n";
        Files.writeString(log(), longLine.repeat(2000), StandardCharsets.UTF_8); // 2 MB
        Map<String, Object> answer = new SystemCommandResponder(log()).answer(Map.of("command", "grab_logs", "lines", 5000));
        assertTrue(((String) answer.get("log")).length() <= SystemCommandResponder.MAX_BYTES);
        assertEquals(true, answer.get("truncated"));
        assertTrue((Integer) answer.get("line_count") > 400);
    }

    @Test
    public void noLogFileIsAnEmptyTail() throws Exception {
        Map<String, Object> answer = new SystemCommandResponder(log()).answer(Map.of("command", "grab_logs", "lines", "10"));
        assertEquals(0, answer.get("line_count"));
        assertEquals("", answer.get("log"));
    }

    @Test
    public void wrongCommandsAreClearErrors() {
        SystemCommandResponder r = new SystemCommandResponder(log());
        assertEquals("Unknown SystemCommand 'reboot'; this agent knows grab_logs, restart, stop",
                error(r, Map.of("command", "reboot")));
        assertEquals("SystemCommand needs a \"command\"; this agent knows grab_logs, restart, stop", error(r, Map.of()));
        assertEquals("grab_logs \"lines\" must be a number from 1 to 5000, not 0", error(r, Map.of("command", "grab_logs", "lines", 0)));
        assertFalse(error(r, Map.of("command", "grab_logs", "lines", "many")).isEmpty());
    }

    /** The running agent, as the responder sees it: records what it was asked to do. */
    private static final class RecordingControl implements SystemCommandResponder.Control {
        final java.util.List<String> plugins = java.util.List.of("io.midway.probe.tcp", "io.midway.protocol.tcp",
                "io.midway.credential.store");
        final Map<String, SystemCommandResponder.Action> scheduled = new java.util.LinkedHashMap<>();
        java.util.Optional<String> supervisor = java.util.Optional.empty();

        @Override
        public java.util.List<String> plugins() {
            return plugins;
        }

        @Override
        public java.util.Optional<String> supervisor() {
            return supervisor;
        }

        @Override
        public void afterAnswer(String sysId, SystemCommandResponder.Action action)
                throws SystemCommandResponder.CommandException {
            if (!scheduled.isEmpty()) {
                throw new SystemCommandResponder.CommandException("a restart or stop of this agent is already under way");
            }
            scheduled.put(sysId, action);
        }
    }

    @Test
    public void restartInPlaceIsTheDefaultAndSaysWhatItRestarts() throws Exception {
        RecordingControl control = new RecordingControl();
        Map<String, Object> answer = new SystemCommandResponder(log(), control).answer("s1", Map.of("command", "restart"));
        assertEquals("restart", answer.get("command"));
        assertEquals("in_place", answer.get("mode"));
        assertEquals("restarting core and 3 plug-ins without restarting the JVM", answer.get("result"));
        assertEquals(Map.of("s1", SystemCommandResponder.Action.RESTART_IN_PLACE), control.scheduled);
    }

    @Test
    public void aProcessRestartWithoutASupervisorIsRefusedAndNothingIsScheduled() {
        RecordingControl control = new RecordingControl();
        SystemCommandResponder r = new SystemCommandResponder(log(), control);
        String message = error(r, Map.of("command", "restart", "mode", "process"));
        assertTrue(message, message.startsWith("restart mode process needs a supervisor"));
        assertTrue(message, message.contains("MIDWAY_SUPERVISED") && message.contains("systemd")
                && message.contains("75") && message.contains("The agent keeps running."));
        assertTrue(control.scheduled.isEmpty());
    }

    @Test
    public void aProcessRestartUnderASupervisorExitsWithStatus75() throws Exception {
        RecordingControl control = new RecordingControl();
        control.supervisor = java.util.Optional.of("systemd");
        Map<String, Object> answer = new SystemCommandResponder(log(), control)
                .answer("s2", Map.of("command", "restart", "mode", "process"));
        assertEquals("process", answer.get("mode"));
        assertEquals("restarting the process: running work finishes, then it exits with status 75 for systemd to "
                + "start it again", answer.get("result"));
        assertEquals(Map.of("s2", SystemCommandResponder.Action.RESTART_PROCESS), control.scheduled);
    }

    @Test
    public void stopSaysTheProcessExitsZero() throws Exception {
        RecordingControl control = new RecordingControl();
        Map<String, Object> answer = new SystemCommandResponder(log(), control).answer("s3", Map.of("command", "stop"));
        assertEquals("stop", answer.get("command"));
        assertTrue(answer.get("result").toString(), answer.get("result").toString().endsWith("exits with status 0"));
        assertEquals(Map.of("s3", SystemCommandResponder.Action.STOP), control.scheduled);
    }

    @Test
    public void anUnknownModeNamesTheKnownOnes() {
        RecordingControl control = new RecordingControl();
        assertEquals("Unknown restart mode 'reboot'; this agent knows in_place, process (the default is in_place)",
                error(new SystemCommandResponder(log(), control), Map.of("command", "restart", "mode", "reboot")));
        assertTrue(control.scheduled.isEmpty());
    }

    @Test
    public void aSecondRestartWhileOneIsUnderWayIsRefused() throws Exception {
        RecordingControl control = new RecordingControl();
        SystemCommandResponder r = new SystemCommandResponder(log(), control);
        r.answer("s1", Map.of("command", "restart"));
        assertEquals("a restart or stop of this agent is already under way", error(r, Map.of("command", "stop")));
        assertEquals(Map.of("s1", SystemCommandResponder.Action.RESTART_IN_PLACE), control.scheduled);
    }

    @Test
    public void withoutAControlRestartAndStopAreErrors() {
        SystemCommandResponder r = new SystemCommandResponder(log());
        assertTrue(error(r, Map.of("command", "restart")).contains("not available"));
        assertTrue(error(r, Map.of("command", "stop")).contains("not available"));
    }

    @Test
    public void theSupervisorIsSystemdOrDeclared() {
        assertEquals(java.util.Optional.empty(), Supervisor.detect(Map.<String, String>of()::get));
        assertEquals(java.util.Optional.of("systemd"), Supervisor.detect(Map.of("INVOCATION_ID", "0a1b")::get));
        assertTrue(Supervisor.detect(Map.of("MIDWAY_SUPERVISED", "TRUE")::get).isPresent());
        assertEquals(java.util.Optional.empty(), Supervisor.detect(Map.of("MIDWAY_SUPERVISED", "yes")::get));
        assertEquals(java.util.Optional.empty(),
                Supervisor.detect(Map.of("MIDWAY_SUPERVISED", "false", "INVOCATION_ID", "0a1b")::get));
    }

    private static String error(SystemCommandResponder r, Map<String, Object> payload) {
        try {
            r.answer("sys-id", payload);
            fail("accepted " + payload);
            return null;
        } catch (SystemCommandResponder.CommandException e) {
            return e.getMessage();
        }
    }
}
