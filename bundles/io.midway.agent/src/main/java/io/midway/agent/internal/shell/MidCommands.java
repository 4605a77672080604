package io.midway.agent.internal.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.function.Consumer;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.midway.agent.internal.FileSyncControl;
import io.midway.agent.internal.cleaner.CleanerText;
import io.midway.agent.internal.sync.SyncSummary;
import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.MidAgent;
import io.midway.api.agent.PluginBundleDTO;
import io.midway.api.agent.PoolDTO;
import io.midway.api.agent.SyncResultDTO;
import io.midway.api.agent.UpgradeStatusDTO;
import io.midway.api.cleaner.FileCleaner;
import io.midway.api.upgrade.UpgradeRecordDTO;
import io.midway.console.support.shell.CommandUsage;

/**
 * The {@code mid:} Gogo commands: {@code status}, {@code pause}, {@code resume}, {@code sync},
 * {@code bundles}, {@code upgrade}.
 */
@Component(service = MidCommands.class, property = {
    "osgi.command.scope=mid",
    "osgi.command.function=status",
    "osgi.command.function=pause",
    "osgi.command.function=resume",
    "osgi.command.function=sync",
    "osgi.command.function=bundles",
    "osgi.command.function=upgrade",
})
public class MidCommands {

    private final MidAgent agent;
    private final FileSyncControl fileSync;
    /** The File Cleaner, whose last and next run {@code status} shows. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile FileCleaner cleaner;

    /**
     * @param agent the running agent
     * @param fileSync the agent's file sync, with progress
     */
    @Activate
    public MidCommands(@Reference(name = "agent") MidAgent agent,
            @Reference(name = "fileSync") FileSyncControl fileSync) {
        this.agent = agent;
        this.fileSync = fileSync;
    }

    /** @return the agent's state as a readable block */
    @Descriptor("show this agent's connection, instance status, probes, worker pools, results and the File Cleaner's last run")
    public String status() {
        StringBuilder out = new StringBuilder(format(agent.status()));
        FileCleaner c = cleaner;
        if (c != null) {
            CleanerText.statusLines(c.status()).forEach(l -> out.append(l).append(System.lineSeparator()));
        }
        return out.toString();
    }

    /** @return a one-line confirmation, or why it failed */
    @Descriptor("ask the instance to pause this agent: it then gets only heartbeats and system work")
    public String pause() {
        try {
            agent.pause();
            return "Agent '" + agent.status().name + "' is paused: it finishes what it holds and takes only "
                    + "heartbeats and system work until mid:resume.";
        } catch (IOException e) {
            return "Could not pause: " + e.getMessage();
        }
    }

    /** @return a one-line confirmation, or why it failed */
    @Descriptor("ask the instance to resume this agent")
    public String resume() {
        try {
            agent.resume();
            return "Agent '" + agent.status().name + "' is resumed (Up): it takes work again.";
        } catch (IOException e) {
            return "Could not resume: " + e.getMessage();
        }
    }

    /**
     * Applies the instance's file-sync snapshot now, printing one line per file as it goes.
     *
     * @param session the shell session, whose console gets the per-file lines
     * @return the summary, or why the sync could not run
     */
    @Descriptor("apply the instance's file-sync snapshot now: install, update and uninstall plug-in bundles")
    public String sync(CommandSession session) {
        PrintStream console = session == null ? null : session.getConsole();
        Consumer<String> progress = console == null ? line -> { } : line -> {
            console.println(line);
            console.flush();
        };
        return sync(progress);
    }

    /**
     * @param progress told one line per file
     * @return the summary, or why the sync could not run
     */
    String sync(Consumer<String> progress) {
        try {
            SyncResultDTO result = fileSync.sync(progress);
            return SyncSummary.of(result);
        } catch (IOException e) {
            return "Could not sync: " + e.getMessage();
        }
    }

    /** @return the core's upgrade state and history */
    @Descriptor("show the core's upgrade state: current, target and pinned version, state, history")
    public String upgrade() {
        return upgradeStatus(agent.upgradeStatus());
    }

    /**
     * @param action {@code check}
     * @return what the check found and does
     */
    @Descriptor("'check': check now whether the instance offers another core version, and upgrade if so")
    public String upgrade(@Descriptor("check") String action) {
        if (!"check".equals(action)) {
            return "Unknown action '" + action + "': use mid:upgrade, or mid:upgrade check";
        }
        UpgradeStatusDTO s;
        try {
            s = agent.checkForUpgrade();
        } catch (IOException e) {
            return "Could not check for an upgrade: " + e.getMessage();
        }
        return checkOutcome(s) + System.lineSeparator() + upgradeStatus(s);
    }

    /**
     * @param s the state after a check
     * @return one sentence saying what happens
     */
    static String checkOutcome(UpgradeStatusDTO s) {
        String target = s.targetVersion;
        return switch (s.state == null ? "" : s.state) {
            case "upgrading" -> "Upgrading the core from " + s.currentVersion + " to " + target
                    + ": this core stops and the new one reports back.";
            case "current" -> "The core " + s.currentVersion + " is the version to run: nothing to do.";
            case "pinned" -> "This agent is pinned to " + s.pinnedVersion + ", which runs: nothing to do.";
            case "skipped" -> "Not upgrading to " + target + ": the core itself failed here before (" + s.lastFailure
                    + "); a new jar or another version is tried.";
            case "waiting" -> "Not upgrading to " + target + " yet: it failed here for a reason outside the core ("
                    + s.lastFailure + "); tried again at " + s.retryAt + ".";
            case "unavailable" -> "Core " + target + " is the target but the instance offers no jar of it.";
            default -> "The instance's version is not known yet.";
        };
    }

    /**
     * @param s an upgrade state
     * @return it as aligned lines, with the history
     */
    static String upgradeStatus(UpgradeStatusDTO s) {
        StringBuilder out = new StringBuilder();
        line(out, "Current", s.currentVersion);
        line(out, "Target", s.targetVersion);
        line(out, "Pinned", s.pinnedVersion == null ? "no" : s.pinnedVersion);
        line(out, "State", s.state);
        if (s.lastFailure != null) {
            line(out, "Last failure", s.lastFailure);
            if (s.failureCause != null) {
                line(out, "Cause", "outside".equals(s.failureCause)
                        ? "outside the core (tried again with backoff)" : "the core itself (not tried again)");
            }
        }
        if (s.retryAt != null) {
            line(out, "Retry at", s.retryAt);
        }
        if (s.history == null || s.history.length == 0) {
            line(out, "History", "no upgrades");
        } else {
            line(out, "History", s.history.length + (s.history.length == 1 ? " attempt, oldest first:" : " attempts, oldest first:"));
            for (UpgradeRecordDTO r : s.history) {
                out.append(String.format("  %s  %s -> %s  %s%s%s%n", r.started, r.fromVersion, r.toVersion, r.outcome,
                        r.cause == null ? "" : " (" + r.cause + ")", r.reason == null ? "" : ": " + r.reason));
            }
        }
        return out.toString();
    }

    /** @return the plug-in bundles as a table */
    @Descriptor("list the plug-in bundles: from file sync, deploy/ and the Web Console, the shipped probes and protocols, the deploy/ jars that do not run and the last console installs refused for their signature, with why")
    public String bundles() {
        return table(agent.bundles());
    }

    /**
     * @param bundles plug-in bundles
     * @return them as an aligned table, or a sentence when there are none
     */
    static String table(PluginBundleDTO[] bundles) {
        if (bundles.length == 0) {
            return "No plug-in bundles.";
        }
        String format = "%5s  %-8s  %-12s  %-10s  %-36s  %-14s  %-12s  %s%n";
        StringBuilder out = new StringBuilder(String.format(format, "id", "state", "origin", "kind", "symbolic name",
                "version", "sha256", "provides"));
        for (PluginBundleDTO b : bundles) {
            boolean installed = b.id >= 0;
            out.append(String.format(format, installed ? String.valueOf(b.id) : "-",
                    installed ? b.state : "NOT INST", b.origin, dash(b.kind),
                    b.symbolicName != null ? b.symbolicName : "(" + b.file + ")", dash(b.version),
                    b.sha256 == null ? "-" : b.sha256.substring(0, Math.min(12, b.sha256.length())),
                    b.provides == null || b.provides.length == 0 ? "-" : String.join(", ", b.provides)));
            if (b.problem != null) {
                // Why it does not run, under its row (the resolver's message names what is missing).
                out.append(String.format("%7s%s%s%n", "", b.file == null ? "" : "deploy/" + b.file + ": ",
                        oneLine(b.problem)));
            }
        }
        return out.toString();
    }

    private static String oneLine(String text) {
        String flat = text.replaceAll("\\s+", " ").trim();
        return flat.length() > 400 ? flat.substring(0, 400) + "…" : flat;
    }

    private static String dash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }

    /**
     * @param s a status snapshot
     * @return it as aligned lines
     */
    static String format(AgentStatusDTO s) {
        StringBuilder out = new StringBuilder();
        line(out, "Name", s.name);
        line(out, "Version", s.version);
        line(out, "Instance", s.instanceUrl);
        line(out, "Connection", s.connection);
        line(out, "Status", s.status);
        line(out, "Validated", s.validated ? "yes" : "no");
        line(out, "Last contact", s.lastContact);
        line(out, "Last error", s.lastError);
        String probes = s.probes == null || s.probes.length == 0 ? "none" : String.join(", ", s.probes);
        line(out, "Probes", probes + " (HeartbeatProbe is built in)");
        if (s.pools != null && s.pools.length > 0) {
            line(out, "Pools", String.format("%-12s %7s %6s %6s %9s", "name", "threads", "active", "queued",
                    "completed"));
            Arrays.stream(s.pools).forEach(p -> line(out, "", pool(p)));
        }
        line(out, "Capabilities", s.capabilities == null || s.capabilities.length == 0 ? "none"
                : String.join(", ", s.capabilities));
        line(out, "Deploy folder", s.deployDir == null ? "none" : s.deployDir + " (this agent's own; bundles dropped "
                + "there are installed at once)");
        line(out, "File sync", s.syncRevision == null ? (s.syncState == null ? "not yet" : s.syncState)
                : "revision " + s.syncRevision + " " + s.syncState);
        line(out, "Spooled", String.valueOf(s.spooled));
        line(out, "Processed", String.valueOf(s.processed));
        line(out, "Failed", String.valueOf(s.failed));
        return out.toString();
    }

    private static String pool(PoolDTO p) {
        return String.format("%-12s %7d %6d %6d %9d", p.name, p.threads, p.active, p.queued, p.completed);
    }

    private static void line(StringBuilder out, String label, String value) {
        out.append(String.format("%-13s %s%n", label, value == null || value.isEmpty() ? "-" : value));
    }

    // Catch-alls: Gogo picks these only when no overload above fits the arguments (a word where a
    // number belongs, too many arguments), so the operator gets the usage, not "Cannot coerce".

    /**
     * @param wrong the arguments given
     * @return the usage
     */
    @Descriptor("wrong arguments: prints the usage")
    public String status(String... wrong) {
        return CommandUsage.of(this, "mid", "status", wrong);
    }

    /**
     * @param wrong the arguments given
     * @return the usage
     */
    @Descriptor("wrong arguments: prints the usage")
    public String pause(String... wrong) {
        return CommandUsage.of(this, "mid", "pause", wrong);
    }

    /**
     * @param wrong the arguments given
     * @return the usage
     */
    @Descriptor("wrong arguments: prints the usage")
    public String resume(String... wrong) {
        return CommandUsage.of(this, "mid", "resume", wrong);
    }

    /**
     * @param wrong the arguments given
     * @return the usage
     */
    @Descriptor("wrong arguments: prints the usage")
    public String sync(String... wrong) {
        return CommandUsage.of(this, "mid", "sync", wrong);
    }

    /**
     * @param wrong the arguments given
     * @return the usage
     */
    @Descriptor("wrong arguments: prints the usage")
    public String bundles(String... wrong) {
        return CommandUsage.of(this, "mid", "bundles", wrong);
    }

    /**
     * @param wrong the arguments given
     * @return the usage
     */
    @Descriptor("wrong arguments: prints the usage")
    public String upgrade(String... wrong) {
        return CommandUsage.of(this, "mid", "upgrade", wrong);
    }
}
