package io.midway.agent.internal.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.Test;

import io.midway.agent.internal.FileSyncControl;
import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.MidAgent;
import io.midway.api.agent.PluginBundleDTO;
import io.midway.api.agent.PoolDTO;
import io.midway.api.agent.SyncFileResultDTO;
import io.midway.api.agent.SyncResultDTO;
import io.midway.api.agent.UpgradeStatusDTO;
import io.midway.api.upgrade.UpgradeRecordDTO;

public class MidCommandsTest {

    /** A MidAgent with a fixed status whose pause/resume/sync succeed or fail as told. */
    static final class StubAgent implements MidAgent, FileSyncControl {
        String failure;
        String lastCall;
        PluginBundleDTO[] bundles = new PluginBundleDTO[0];
        io.midway.api.agent.SettingDTO[] configuration = new io.midway.api.agent.SettingDTO[0];

        @Override
        public io.midway.api.agent.SettingDTO[] configuration() {
            return configuration;
        }

        @Override
        public UpgradeStatusDTO upgradeStatus() {
            UpgradeStatusDTO s = new UpgradeStatusDTO();
            s.currentVersion = "0.1.0";
            s.targetVersion = "0.1.2";
            s.state = "skipped";
            s.lastFailure = "core 0.1.2 did not start: Unable to resolve";
            UpgradeRecordDTO ok = new UpgradeRecordDTO();
            ok.fromVersion = "0.0.9";
            ok.toVersion = "0.1.0";
            ok.outcome = "upgraded";
            ok.started = "2026-11-21T10:00:00Z";
            UpgradeRecordDTO bad = new UpgradeRecordDTO();
            bad.fromVersion = "0.1.0";
            bad.toVersion = "0.1.2";
            bad.outcome = "rolled_back";
            bad.reason = "core 0.1.2 did not start: Unable to resolve";
            bad.started = "2026-11-21T11:00:00Z";
            s.history = new UpgradeRecordDTO[] {ok, bad};
            return s;
        }

        @Override
        public UpgradeStatusDTO checkForUpgrade() throws IOException {
            call("check");
            return upgradeStatus();
        }

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
            s.capabilities = new String[] {"echo", "snmp"};
            s.syncRevision = "7";
            s.syncState = "failed";
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

        @Override
        public SyncResultDTO sync() throws IOException {
            return sync(line -> { });
        }

        @Override
        public SyncResultDTO sync(Consumer<String> progress) throws IOException {
            call("sync");
            SyncResultDTO result = new SyncResultDTO();
            result.revision = "7";
            result.state = "failed";
            result.files = new SyncFileResultDTO[] {
                file("io.midway.testing.echo", "2.0.0", "update", "ok", null),
                file("com.acme.x", "1.0.0", "install", "failed", "not a jar: zip END header not found"),
                file("com.acme.local", "1.0.0", "skip", "skipped", "deploy/ provides com.acme.local 1.0.0"),
            };
            for (SyncFileResultDTO f : result.files) {
                progress.accept(f.action + " " + f.symbolicName);
            }
            return result;
        }

        @Override
        public PluginBundleDTO[] bundles() {
            return bundles;
        }

        private void call(String what) throws IOException {
            lastCall = what;
            if (failure != null) {
                throw new IOException(failure);
            }
        }
    }

    static SyncFileResultDTO file(String name, String version, String action, String outcome, String message) {
        SyncFileResultDTO f = new SyncFileResultDTO();
        f.symbolicName = name;
        f.version = version;
        f.action = action;
        f.outcome = outcome;
        f.message = message;
        return f;
    }

    @Test
    public void statusIsAReadableBlock() {
        StubAgent agent = new StubAgent();
        String out = new MidCommands(agent, agent).status();
        assertTrue(out, out.contains("Name          m1"));
        assertTrue(out, out.contains("Instance      http://localhost:8080"));
        assertTrue(out, out.contains("Connection    connected"));
        assertTrue(out, out.contains("Validated     yes"));
        assertTrue(out, out.contains("Last error    -"));
        assertTrue(out, out.contains("Probes        Echo, TCPScan"));
        assertTrue(out, out.matches("(?s).*interactive\\s+10\\s+1\\s+2\\s+42.*"));
        assertTrue(out, out.contains("Capabilities  echo, snmp"));
        assertTrue(out, out.contains("File sync     revision 7 failed"));
        assertTrue(out, out.contains("Spooled       3"));
        assertTrue(out, out.contains("Processed     40"));
        assertTrue(out, out.contains("Failed        2"));
    }

    @Test
    public void pauseAndResumeConfirmOrSayWhyNot() {
        StubAgent agent = new StubAgent();
        MidCommands commands = new MidCommands(agent, agent);
        assertTrue(commands.pause().startsWith("Agent 'm1' is paused"));
        assertEquals("pause", agent.lastCall);
        assertTrue(commands.resume().startsWith("Agent 'm1' is resumed"));
        assertEquals("resume", agent.lastCall);
        agent.failure = "cannot reach instance http://localhost:8080: ConnectException";
        assertEquals("Could not pause: cannot reach instance http://localhost:8080: ConnectException",
                commands.pause());
    }

    @Test
    public void syncPrintsEachFileAsItGoesAndReturnsTheSummary() {
        StubAgent agent = new StubAgent();
        MidCommands commands = new MidCommands(agent, agent);
        List<String> lines = new ArrayList<>();
        String summary = commands.sync(lines::add);
        assertEquals(List.of("update io.midway.testing.echo", "install com.acme.x", "skip com.acme.local"), lines);
        assertEquals("Revision 7 failed: 1 ok, 1 failed, 1 skipped; what ran before runs again.", summary);

        agent.failure = "cannot reach instance http://localhost:8080: ConnectException";
        assertEquals("Could not sync: cannot reach instance http://localhost:8080: ConnectException",
                commands.sync(lines::add));
    }

    @Test
    public void bundlesIsATable() {
        StubAgent agent = new StubAgent();
        MidCommands commands = new MidCommands(agent, agent);
        assertEquals("No plug-in bundles.", commands.bundles());

        PluginBundleDTO echo = new PluginBundleDTO();
        echo.id = 42;
        echo.symbolicName = "io.midway.testing.echo";
        echo.version = "2.0.0";
        echo.origin = PluginBundleDTO.ORIGIN_SYNC;
        echo.kind = "probe";
        echo.sha256 = "3f2a9c1b7d4e" + "0".repeat(52);
        echo.state = "ACTIVE";
        echo.provides = new String[] {"Echo", "echo"};
        PluginBundleDTO tcp = new PluginBundleDTO();
        tcp.id = 7;
        tcp.symbolicName = "io.midway.probe.tcp";
        tcp.version = "0.1.0";
        tcp.origin = PluginBundleDTO.ORIGIN_DISTRIBUTION;
        tcp.state = "RESOLVED";
        tcp.provides = new String[0];
        agent.bundles = new PluginBundleDTO[] {echo, tcp};

        String[] lines = commands.bundles().split("\\R");
        assertEquals(3, lines.length);
        assertTrue(lines[0], lines[0].matches("\\s+id\\s+state\\s+origin\\s+kind\\s+symbolic name\\s+version\\s+sha256\\s+provides"));
        assertTrue(lines[1], lines[1].matches(
                "\\s+42\\s+ACTIVE\\s+sync\\s+probe\\s+io\\.midway\\.testing\\.echo\\s+2\\.0\\.0\\s+3f2a9c1b7d4e\\s+Echo, echo"));
        assertTrue(lines[2], lines[2].matches(
                "\\s+7\\s+RESOLVED\\s+distribution\\s+-\\s+io\\.midway\\.probe\\.tcp\\s+0\\.1\\.0\\s+-\\s+-"));
    }

    @Test
    public void upgradeShowsVersionsStateAndHistoryWithReasons() {
        StubAgent agent = new StubAgent();
        String out = new MidCommands(agent, agent).upgrade();
        assertTrue(out, out.contains("Current       0.1.0"));
        assertTrue(out, out.contains("Target        0.1.2"));
        assertTrue(out, out.contains("Pinned        no"));
        assertTrue(out, out.contains("State         skipped"));
        assertTrue(out, out.contains("0.0.9 -> 0.1.0  upgraded"));
        assertTrue(out, out.contains("0.1.0 -> 0.1.2  rolled_back: core 0.1.2 did not start: Unable to resolve"));
    }

    @Test
    public void upgradeShowsAFailureOutsideTheCoreWithItsCauseAndRetryTime() {
        UpgradeStatusDTO s = new UpgradeStatusDTO();
        s.currentVersion = "0.1.0";
        s.targetVersion = "0.1.2";
        s.state = "waiting";
        s.lastFailure = "cannot download core 0.1.2: Connection refused";
        s.failureCause = "outside";
        s.retryAt = "2026-12-07T12:01:00Z";
        UpgradeRecordDTO back = new UpgradeRecordDTO();
        back.fromVersion = "0.1.0";
        back.toVersion = "0.1.2";
        back.outcome = "rolled_back";
        back.cause = "outside";
        back.reason = "the agent restarted during the upgrade before core 0.1.2 ran (core 0.1.0 runs)";
        back.started = "2026-12-07T11:00:00Z";
        s.history = new UpgradeRecordDTO[] {back};
        String out = MidCommands.upgradeStatus(s);
        assertTrue(out, out.contains("State         waiting"));
        assertTrue(out, out.contains("Last failure  cannot download core 0.1.2: Connection refused"));
        assertTrue(out, out.contains("Cause         outside the core (tried again with backoff)"));
        assertTrue(out, out.contains("Retry at      2026-12-07T12:01:00Z"));
        assertTrue(out, out.contains("0.1.0 -> 0.1.2  rolled_back (outside): the agent restarted"));
        assertEquals("Not upgrading to 0.1.2 yet: it failed here for a reason outside the core (cannot download core "
                + "0.1.2: Connection refused); tried again at 2026-12-07T12:01:00Z.", MidCommands.checkOutcome(s));
    }

    @Test
    public void upgradeCheckSaysWhatHappensOrWhyItCouldNot() {
        StubAgent agent = new StubAgent();
        String out = new MidCommands(agent, agent).upgrade("check");
        assertEquals("check", agent.lastCall);
        assertTrue(out, out.startsWith("Not upgrading to 0.1.2: the core itself failed here before (core 0.1.2 did not start"));
        agent.failure = "cannot reach instance http://localhost:8080: ConnectException";
        assertEquals("Could not check for an upgrade: cannot reach instance http://localhost:8080: ConnectException",
                new MidCommands(agent, agent).upgrade("check"));
        assertTrue(new MidCommands(agent, agent).upgrade("now").startsWith("Unknown action 'now'"));
    }

    @Test
    public void statusShowsTheFileCleanersLastAndNextRunAndMidCleanWhatItRemoved() {
        StubAgent agent = new StubAgent();
        MidCommands commands = new MidCommands(agent, agent);
        assertTrue("no cleaner lines without the cleaner", !commands.status().contains("File cleaner"));

        io.midway.api.cleaner.CleanerRunDTO run = new io.midway.api.cleaner.CleanerRunDTO();
        run.started = "2026-12-07T10:00:00Z";
        run.trigger = "start";
        run.filesRemoved = 2;
        run.bytesFreed = 3072;
        io.midway.api.cleaner.RemovedFileDTO r = new io.midway.api.cleaner.RemovedFileDTO();
        r.path = "agent.log.7";
        r.size = 1024;
        r.rule = "log";
        io.midway.api.cleaner.RemovedFileDTO j = new io.midway.api.cleaner.RemovedFileDTO();
        j.path = "sync/files/ab.jar";
        j.size = 2048;
        j.rule = "jar-cache";
        run.removed = new io.midway.api.cleaner.RemovedFileDTO[] {r, j};
        run.skipped = new String[0];
        boolean[] on = {true};
        io.midway.api.cleaner.FileCleaner cleaner = new io.midway.api.cleaner.FileCleaner() {
            @Override
            public io.midway.api.cleaner.CleanerStatusDTO status() {
                io.midway.api.cleaner.CleanerStatusDTO s = new io.midway.api.cleaner.CleanerStatusDTO();
                s.enabled = on[0];
                s.maxAgeDays = 7;
                s.intervalHours = 24;
                s.lastRun = run;
                s.nextRun = on[0] ? "2026-12-08T10:00:00Z" : null;
                return s;
            }

            @Override
            public io.midway.api.cleaner.CleanerRunDTO runNow() {
                return run;
            }
        };
        commands.cleaner = cleaner;
        String status = commands.status();
        assertTrue(status, status.contains("File cleaner  on (removes unused files older than 7 days, every 24 h)"));
        assertTrue(status, status.contains("Last clean    2026-12-07T10:00:00Z (start): 2 files removed, 3072 bytes freed"));
        assertTrue(status, status.contains("Next clean    2026-12-08T10:00:00Z"));
        on[0] = false;
        status = commands.status();
        assertTrue(status, status.contains("File cleaner  off"));
        assertTrue(status, status.contains("Next clean    off"));

        String cleaned = new CleanCommand(cleaner).clean();
        assertEquals("removed agent.log.7 (1024 bytes, log)\nremoved sync/files/ab.jar (2048 bytes, jar-cache)\n"
                + "File cleaner: removed 2 files, freed 3072 bytes", cleaned);
    }
}
