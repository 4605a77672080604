package io.midway.agent.internal.transport;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.agent.internal.config.CentralConfiguration;
import io.midway.agent.internal.config.CentralSettings;
import io.midway.wire.AgentConfigSnapshot;
import io.midway.wire.ConfigReport;

/**
 * Keeps the settings from the instance at the instance's configuration revision: when a poll
 * reply's {@code config_revision} differs from the one taken, it fetches
 * {@code GET /api/mid/config?agent=NAME} on its own thread (never the poller's), hands it to
 * {@link CentralConfiguration#apply}, and reports the outcome and every setting in effect
 * ({@code POST /api/mid/config/report}); it also reports once per run, so that the instance shows
 * the agent's settings after a start. An instance that announces no revision (one without
 * configuration from the centre) is never asked. A failure is logged once per distinct message and
 * the next poll reply tries again; the agent keeps the settings it has.
 */
public final class ConfigFetcher {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigFetcher.class);

    private final InstanceClient client;
    private final String agentName;
    private final CentralConfiguration central;
    private final Object lock = new Object();
    private ExecutorService executor;
    /** The revision being fetched, or {@code null}. */
    private String fetching;
    /** The instance's revision whose fetch failed last, or {@code null} after a success. */
    private String failedRevision;
    /** Whether a report is owed (after a start, a local change, or a failed report). */
    private boolean reportDue = true;
    private boolean reporting;
    private final ProblemLog problems = new ProblemLog(LOG);

    /**
     * @param client the instance
     * @param agentName our name
     * @param central where the settings go
     */
    public ConfigFetcher(InstanceClient client, String agentName, CentralConfiguration central) {
        this.client = client;
        this.agentName = agentName;
        this.central = central;
    }

    public void start() {
        synchronized (lock) {
            if (executor == null) {
                executor = io.midway.agent.internal.lifecycle.OnDemandThread.named("midway-config");
                reportDue = true;
            }
        }
    }

    public void stop() {
        ExecutorService running;
        synchronized (lock) {
            running = executor;
            executor = null;
            fetching = null;
            reporting = false;
        }
        if (running != null) {
            running.shutdownNow();
        }
    }

    /** @return the revision to tell the instance on the next poll ({@code ""}: none taken yet) */
    public String pollRevision() {
        synchronized (lock) {
            if (fetching != null) {
                return fetching;
            }
            if (failedRevision != null) {
                return failedRevision;
            }
        }
        String taken = central.revision();
        return taken == null ? "" : taken;
    }

    /** The settings in effect changed on this agent (its own configuration): report them again. */
    public void changedLocally() {
        synchronized (lock) {
            reportDue = true;
        }
    }

    /**
     * @param revision the poll reply's {@code config_revision}; {@code null} from an instance
     *     without configuration from the centre
     */
    public void polled(String revision) {
        if (revision == null) {
            return;
        }
        synchronized (lock) {
            if (executor == null || fetching != null || reporting) {
                return;
            }
            boolean fetch = !revision.equals(central.revision()) && !revision.equals(failedRevision);
            if (!fetch && !reportDue) {
                return;
            }
            if (fetch) {
                fetching = revision;
            } else {
                reporting = true;
            }
            try {
                executor.execute(() -> {
                    if (fetch) {
                        fetch(revision);
                    } else {
                        report();
                    }
                });
            } catch (RejectedExecutionException e) {
                fetching = null;
                reporting = false;
            }
        }
    }

    private void fetch(String announced) {
        String failure = ProblemLog.attempt(() -> {
            AgentConfigSnapshot snapshot = client.config(agentName);
            CentralSettings.Outcome outcome = central.apply(snapshot);
            LOG.info("Took the instance's settings revision '{}': {} value(s) in effect from the instance{}{}",
                    snapshot.revision(), central.values().size(),
                    outcome.changedPids().isEmpty() ? "" : ", delivered again: " + String.join(", ", outcome.changedPids()),
                    outcome.errors().isEmpty() ? "" : ", " + outcome.errors().size() + " refused");
            for (ConfigReport.Error error : outcome.errors()) {
                LOG.warn("Setting from the instance refused: {}", error.message());
            }
        }, problem -> "Cannot take the instance's settings revision '" + announced + "' from " + client.baseUrl()
                + ": " + problem + "; keeping the settings held, trying again after the next poll",
                e -> "Cannot apply the instance's settings revision '" + announced + "': " + e
                        + "; keeping the settings held, trying again after the next poll");
        synchronized (lock) {
            fetching = null;
            failedRevision = failure == null ? null : announced;
            if (failure == null) {
                problems.cleared();
                reportDue = true;
                reporting = true;
            } else {
                problems.failed(failure);
            }
        }
        if (failure == null) {
            report();
        }
    }

    private void report() {
        String failure = ProblemLog.attempt(() -> {
            String revision = central.revision();
            var errors = central.errors();
            client.reportConfig(new ConfigReport(agentName, revision == null ? "" : revision,
                    errors.isEmpty() ? ConfigReport.STATE_APPLIED : ConfigReport.STATE_FAILED, errors,
                    central.effective()));
        }, problem -> "Cannot report the settings in effect to instance " + client.baseUrl() + ": " + problem
                + "; trying again after the next poll",
                e -> "Cannot report the settings in effect: " + e);
        synchronized (lock) {
            reporting = false;
            reportDue = failure != null;
            if (failure != null) {
                problems.failed(failure);
            }
        }
    }
}
