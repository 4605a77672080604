package io.midway.agent.internal;

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
        assertEquals("Unknown SystemCommand 'reboot'; this agent knows grab_logs", error(r, Map.of("command", "reboot")));
        assertEquals("SystemCommand needs a \"command\"; this agent knows grab_logs", error(r, Map.of()));
        assertEquals("grab_logs \"lines\" must be a number from 1 to 5000, not 0", error(r, Map.of("command", "grab_logs", "lines", 0)));
        assertFalse(error(r, Map.of("command", "grab_logs", "lines", "many")).isEmpty());
    }

    private static String error(SystemCommandResponder r, Map<String, Object> payload) {
        try {
            r.answer(payload);
            fail("accepted " + payload);
            return null;
        } catch (SystemCommandResponder.CommandException e) {
            return e.getMessage();
        }
    }
}
