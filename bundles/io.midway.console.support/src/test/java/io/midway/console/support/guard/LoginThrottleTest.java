package io.midway.console.support.guard;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.Test;

public class LoginThrottleTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-06T10:00:00Z"));
    private final java.time.Clock clock = new java.time.Clock() {
        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    };
    private final LoginThrottle throttle = new LoginThrottle(new LoginThrottle.Limits(3, 5, 8, 60_000), clock);

    @Test
    public void oneUserFromOneAddressIsRefusedAfterTheLimitUntilTheWindowEnds() {
        for (int i = 0; i < 3; i++) {
            assertEquals(0, throttle.allow("mid", "10.0.0.1"));
            throttle.failed("mid", "10.0.0.1");
        }
        advance(Duration.ofSeconds(15));
        assertEquals("seconds left in the window", 45, throttle.allow("mid", "10.0.0.1"));
        assertEquals("another user from the same address", 0, throttle.allow("admin", "10.0.0.1"));
        assertEquals("the same user from another address", 0, throttle.allow("mid", "10.0.0.2"));
        advance(Duration.ofSeconds(45));
        assertEquals("a new window", 0, throttle.allow("mid", "10.0.0.1"));
    }

    @Test
    public void anAddressTryingManyUsersIsRefusedForAll() {
        for (int i = 0; i < 5; i++) {
            throttle.failed("user" + i, "10.0.0.1");
        }
        assertTrue(throttle.allow("admin", "10.0.0.1") > 0);
        assertTrue(throttle.allow(null, "10.0.0.1") > 0);
        assertEquals(0, throttle.allow("admin", "10.0.0.2"));
    }

    @Test
    public void aUserGuessedFromManyAddressesIsRefusedButNotWhereItLoggedInBefore() {
        throttle.succeeded("mid", "10.0.0.9");
        for (int i = 0; i < 8; i++) {
            throttle.failed("mid", "10.1.0." + i);
        }
        assertTrue("a new address", throttle.allow("mid", "10.2.0.1") > 0);
        assertEquals("the agent's own address keeps working", 0, throttle.allow("mid", "10.0.0.9"));
    }

    @Test
    public void successesDoNotCountAndDoNotResetFailures() {
        for (int i = 0; i < 100; i++) {
            throttle.succeeded("mid", "10.0.0.1");
        }
        assertEquals(0, throttle.allow("mid", "10.0.0.1"));
        throttle.failed("mid", "10.0.0.1");
        throttle.failed("mid", "10.0.0.1");
        throttle.succeeded("mid", "10.0.0.1");
        throttle.failed("mid", "10.0.0.1");
        assertTrue(throttle.allow("mid", "10.0.0.1") > 0);
    }

    @Test
    public void theDefaultsAreTheInstanceDefaults() {
        assertEquals(new LoginThrottle.Limits(5, 20, 100, 60_000), LoginThrottle.Limits.DEFAULTS);
    }

    private void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }
}
