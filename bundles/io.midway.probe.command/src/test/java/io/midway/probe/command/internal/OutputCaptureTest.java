package io.midway.probe.command.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.Test;

public class OutputCaptureTest {

    private static OutputCapture captured(byte[] bytes, int limit) throws InterruptedException {
        OutputCapture capture = OutputCapture.start(new ByteArrayInputStream(bytes), limit, "test-capture");
        assertTrue(capture.awaitEnd(5000));
        return capture;
    }

    @Test
    public void keepsAtMostTheLimitAndCountsTheRest() throws Exception {
        OutputCapture capture = captured(new byte[100_000], 1000);
        assertEquals(1000, capture.text().length());
        assertEquals(100_000, capture.totalBytes());
        assertTrue(capture.truncated());
    }

    @Test
    public void cutDoesNotSplitACharacter() throws Exception {
        byte[] bytes = "ab€".getBytes(StandardCharsets.UTF_8); // € is 3 bytes
        for (int limit = 2; limit <= 4; limit++) {
            assertEquals("limit " + limit, "ab", captured(bytes, limit).text());
        }
        OutputCapture whole = captured(bytes, 5);
        assertEquals("ab€", whole.text());
        assertFalse(whole.truncated());
    }

    @Test
    public void completeUtf8LengthKeepsWholeSequences() {
        byte[] emoji = "x\uD83D\uDE00".getBytes(StandardCharsets.UTF_8); // 1 + 4 bytes
        assertEquals(5, OutputCapture.completeUtf8Length(emoji, 5));
        assertEquals(1, OutputCapture.completeUtf8Length(emoji, 4));
        assertEquals(1, OutputCapture.completeUtf8Length(emoji, 2));
        assertEquals(1, OutputCapture.completeUtf8Length(emoji, 1));
        assertEquals(0, OutputCapture.completeUtf8Length(emoji, 0));
    }
}
