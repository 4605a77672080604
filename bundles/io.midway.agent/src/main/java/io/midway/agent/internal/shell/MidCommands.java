package io.midway.agent.internal.shell;

import java.io.IOException;
import java.util.Arrays;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.MidAgent;
import io.midway.api.agent.PoolDTO;

/** The {@code mid:} Gogo commands: {@code status}, {@code pause}, {@code resume}. */
@Component(service = MidCommands.class, property = {
    "osgi.command.scope=mid",
    "osgi.command.function=status",
    "osgi.command.function=pause",
    "osgi.command.function=resume",
})
public class MidCommands {

    private final MidAgent agent;

    /**
     * @param agent the running agent
     */
    @Activate
    public MidCommands(@Reference(name = "agent") MidAgent agent) {
        this.agent = agent;
    }

    /** @return the agent's state as a readable block */
    @Descriptor("show this agent's connection, instance status, probes, worker pools and results")
    public String status() {
        return format(agent.status());
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
}
