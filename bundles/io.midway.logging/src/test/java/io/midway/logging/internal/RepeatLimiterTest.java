package io.midway.logging.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

public class RepeatLimiterTest {

    @Test
    public void theSameTemplateIsSuppressedAfterTheLimitAndCountedWhenTheWindowEnds() {
        RepeatLimiter limiter = new RepeatLimiter(5, 1000);
        int allowed = 0;
        for (int i = 0; i < 1000; i++) {
            if (limiter.allow("java.util.jar", "Duplicate name in Manifest: X", 10_000)) {
                allowed++;
            }
        }
        assertEquals(5, allowed);
        assertTrue("nothing to report before the window ends", limiter.ended(10_500, false).isEmpty());
        List<RepeatLimiter.Suppressed> ended = limiter.ended(12_000, false);
        assertEquals(ended.toString(), 1, ended.stream().filter(s -> s.template().startsWith("Duplicate")).count());
        RepeatLimiter.Suppressed s = ended.stream().filter(x -> x.template().startsWith("Duplicate")).findFirst().get();
        assertEquals(995, s.count());
        assertEquals("suppressed 995 similar messages from java.util.jar: Duplicate name in Manifest: X", s.text());
        // a new window starts afresh
        assertTrue(limiter.allow("java.util.jar", "Duplicate name in Manifest: X", 12_001));
    }

    @Test
    public void otherLoggersAndTemplatesAreNotHeldBack() {
        RepeatLimiter limiter = new RepeatLimiter(3, 60_000);
        for (int i = 0; i < 10; i++) {
            limiter.allow("a", "same {}", 0);
        }
        assertFalse(limiter.allow("a", "same {}", 1));
        assertTrue(limiter.allow("a", "another {}", 1));
        assertTrue(limiter.allow("b", "same {}", 1));
    }

    @Test
    public void aFloodOfDifferentTextsFromOneLoggerIsBoundedToo() {
        RepeatLimiter limiter = new RepeatLimiter(3, 60_000);
        int allowed = 0;
        for (int i = 0; i < 10_000; i++) {
            if (limiter.allow("stderr", "line " + i, 5)) {
                allowed++;
            }
        }
        assertEquals(30, allowed);
        List<RepeatLimiter.Suppressed> ended = limiter.ended(5, true);
        assertEquals(ended.toString(), 9970, ended.stream().mapToLong(RepeatLimiter.Suppressed::count).sum());
    }
}
