package io.midway.agent.internal.upgrade;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.api.upgrade.UpgradeRecordDTO;

/** The decision after a failed core upgrade: the cause decides retry or skip; the backoff. */
public class UpgradeRetryTest {

    private static final String SHA = "a".repeat(64);
    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void backoffStartsAtAMinuteDoublesAndStopsAtAnHour() {
        assertEquals(Duration.ofMinutes(1), UpgradeRetry.backoff(1));
        assertEquals(Duration.ofMinutes(2), UpgradeRetry.backoff(2));
        assertEquals(Duration.ofMinutes(4), UpgradeRetry.backoff(3));
        assertEquals(Duration.ofMinutes(32), UpgradeRetry.backoff(6));
        assertEquals(Duration.ofHours(1), UpgradeRetry.backoff(7));
        assertEquals(Duration.ofHours(1), UpgradeRetry.backoff(100));
        assertEquals("no failure counted yet waits the first step", Duration.ofMinutes(1), UpgradeRetry.backoff(0));
    }

    @Test
    public void reasonsMapToCauses() {
        // recorded causes win
        assertEquals("core", UpgradeRetry.causeOf("core", "the agent restarted during the upgrade before core 0.2.0 ran"));
        assertEquals("outside", UpgradeRetry.causeOf("outside", "core 0.2.0 did not start"));
        // records from before causes were kept: what an older upgrader wrote
        assertEquals("outside", UpgradeRetry.causeOf(null, "core 0.2.0 was not healthy within 60 s: it is not "
                + "connected to the instance (connection 'unreachable', last error: Connection refused)"));
        assertEquals("outside", UpgradeRetry.causeOf(null,
                "the agent restarted during the upgrade before core 0.2.0 ran (core 0.1.0 runs)"));
        assertEquals("outside", UpgradeRetry.causeOf(null, "the upgrader failed: java.io.IOException: disk full"));
        assertEquals("core", UpgradeRetry.causeOf(null, "core 0.2.0 did not start: Unable to resolve io.midway.agent"));
        assertEquals("core", UpgradeRetry.causeOf(null, "core 0.2.0 was not healthy within 60 s: the core registers "
                + "no MidAgent service (its component is not active)"));
        assertEquals("core", UpgradeRetry.causeOf(null, null));
    }

    @Test
    public void theCoresOwnFailureIsSkippedUntilAnotherJarIsOffered() {
        UpgradeStateStore store = new UpgradeStateStore(tmp.getRoot().toPath().resolve("state.json"));
        UpgradeStateStore.Failure f = store.failed("0.2.0", SHA, "core 0.2.0 did not start: Unable to resolve",
                UpgradeRecordDTO.CAUSE_CORE, T0);
        assertNull("no retry time for the core's own failure", f.retryAt());
        assertEquals(UpgradeRetry.Action.SKIP, UpgradeRetry.decide(f, SHA, T0));
        assertEquals("skipped for ever", UpgradeRetry.Action.SKIP, UpgradeRetry.decide(f, SHA, T0.plus(Duration.ofDays(30))));
        assertEquals("another jar of the version is tried", UpgradeRetry.Action.TRY,
                UpgradeRetry.decide(f, "b".repeat(64), T0));
        assertEquals("nothing failed: try", UpgradeRetry.Action.TRY, UpgradeRetry.decide(null, SHA, T0));
    }

    @Test
    public void aFailureOutsideTheCoreWaitsThenIsTriedAgainWithADoublingBackoffPerJar() {
        Path file = tmp.getRoot().toPath().resolve("state.json");
        UpgradeStateStore store = new UpgradeStateStore(file);
        String outside = "the agent restarted during the upgrade before core 0.2.0 ran (core 0.1.0 runs)";
        UpgradeStateStore.Failure first = store.failed("0.2.0", SHA, outside, UpgradeRecordDTO.CAUSE_OUTSIDE, T0);
        assertEquals(1, first.attempts());
        assertEquals(T0.plus(Duration.ofMinutes(1)).toString(), first.retryAt());
        assertEquals(UpgradeRetry.Action.WAIT, UpgradeRetry.decide(first, SHA, T0.plusSeconds(59)));
        assertEquals(UpgradeRetry.Action.TRY, UpgradeRetry.decide(first, SHA, T0.plusSeconds(60)));

        Instant t1 = T0.plusSeconds(70);
        UpgradeStateStore.Failure second = store.failed("0.2.0", SHA, outside, UpgradeRecordDTO.CAUSE_OUTSIDE, t1);
        assertEquals(2, second.attempts());
        assertEquals(t1.plus(Duration.ofMinutes(2)).toString(), second.retryAt());
        UpgradeStateStore.Failure third = store.failed("0.2.0", SHA, outside, null, t1);
        assertEquals("a cause read from the reason counts the same", 3, third.attempts());
        assertEquals(t1.plus(Duration.ofMinutes(4)).toString(), third.retryAt());

        UpgradeStateStore reread = new UpgradeStateStore(file);
        assertEquals("kept across restarts", third, reread.failure("0.2.0"));
        assertEquals(UpgradeRetry.Action.WAIT, UpgradeRetry.decide(reread.failure("0.2.0"), SHA, t1.plusSeconds(239)));

        UpgradeStateStore.Failure otherJar = store.failed("0.2.0", "b".repeat(64), outside,
                UpgradeRecordDTO.CAUSE_OUTSIDE, t1);
        assertEquals("another jar starts over", 1, otherJar.attempts());

        UpgradeStateStore.Failure thenCore = store.failed("0.2.0", "b".repeat(64), "core 0.2.0 did not start",
                UpgradeRecordDTO.CAUSE_CORE, t1);
        assertEquals(UpgradeRetry.Action.SKIP, UpgradeRetry.decide(thenCore, "b".repeat(64), t1.plus(Duration.ofHours(2))));
    }

    @Test
    public void aStateFileFromBeforeCausesSkipsTheCoresFailuresAndRetriesAnOutage() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("state.json");
        java.nio.file.Files.writeString(file, "{\"reported\":null,\"failed\":{"
                + "\"0.2.0\":{\"sha256\":\"" + SHA + "\",\"reason\":\"core 0.2.0 was not healthy within 60 s: it is not "
                + "connected to the instance (connection 'unreachable')\",\"time\":\"2026-12-01T00:00:00Z\"},"
                + "\"0.3.0\":{\"sha256\":\"" + SHA + "\",\"reason\":\"core 0.3.0 did not start: Unable to resolve\","
                + "\"time\":\"2026-12-01T00:00:00Z\"}}}");
        UpgradeStateStore store = new UpgradeStateStore(file);
        assertEquals("an older agent's outage rollback is tried again", UpgradeRetry.Action.TRY,
                UpgradeRetry.decide(store.failure("0.2.0"), SHA, T0));
        assertEquals(UpgradeRetry.Action.SKIP, UpgradeRetry.decide(store.failure("0.3.0"), SHA, T0));
    }
}
