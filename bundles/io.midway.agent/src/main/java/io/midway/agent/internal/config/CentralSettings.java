package io.midway.agent.internal.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.midway.wire.AgentConfigSnapshot;
import io.midway.wire.AgentSettingCatalog;
import io.midway.wire.AgentSettingSpec;
import io.midway.wire.ConfigReport;
import io.midway.wire.Json;

/**
 * The settings this agent took from the instance (its configuration parameters and properties,
 * already resolved there), kept in {@code <data>/central-config.json} so that a restarted agent has
 * them before its first poll. A value the agent refuses (unknown here, local-only, wrong type or
 * out of range) is not taken: the last good value of that setting stays, and the refusal is kept
 * for the report. Pure: no OSGi; thread-safe.
 */
public final class CentralSettings {

    /** The file in the data folder. */
    public static final String FILE = "central-config.json";

    /** A value in effect from the instance. */
    public record Value(String value, String source) {
    }

    /**
     * What an {@link #apply} changed.
     *
     * @param changedPids the pids whose values from the instance changed (to be delivered again)
     * @param errors the values refused, each with the rule it breaks
     */
    public record Outcome(Set<String> changedPids, List<ConfigReport.Error> errors) {
    }

    private final Path file;
    private String revision;
    private Map<String, Value> accepted = Map.of();
    private List<ConfigReport.Error> errors = List.of();

    /**
     * Loads the kept settings; a missing or unreadable file is an empty set (the next poll fetches).
     *
     * @param file the file, or {@code null} to keep nothing
     */
    public CentralSettings(Path file) {
        this.file = file;
        if (file != null && Files.isRegularFile(file)) {
            try {
                AgentConfigSnapshot kept = Json.mapper().readValue(file.toFile(), AgentConfigSnapshot.class);
                Map<String, Value> values = new LinkedHashMap<>();
                for (AgentConfigSnapshot.Setting s : kept.result()) {
                    Optional<AgentSettingSpec> spec = AgentSettingCatalog.find(s.name());
                    if (spec.isPresent() && spec.get().central() && valid(spec.get(), s.value())) {
                        values.put(s.name(), new Value(s.value(), s.source()));
                    }
                }
                this.accepted = java.util.Collections.unmodifiableMap(values);
                this.revision = kept.revision();
            } catch (IOException | RuntimeException e) {
                this.revision = null;
            }
        }
    }

    private static boolean valid(AgentSettingSpec spec, String value) {
        try {
            spec.validate(value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** @return the revision taken last, or {@code null} before the first */
    public synchronized String revision() {
        return revision;
    }

    /** @return the values refused at the last {@link #apply} */
    public synchronized List<ConfigReport.Error> errors() {
        return errors;
    }

    /** @return every value in effect from the instance, by setting name */
    public synchronized Map<String, Value> values() {
        return accepted;
    }

    /**
     * @param pid a Config Admin pid
     * @return the values from the instance for that pid, by key, as text (as an {@code etc/} file
     *     gives them)
     */
    public synchronized Map<String, String> overlay(String pid) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : accepted.entrySet()) {
            AgentSettingSpec spec = AgentSettingCatalog.find(e.getKey()).orElseThrow();
            if (spec.pid().equals(pid)) {
                out.put(spec.key(), e.getValue().value());
            }
        }
        return out;
    }

    /**
     * Takes the instance's settings.
     *
     * @param snapshot the instance's reply
     * @return the pids to deliver again and the refused values
     * @throws IOException when the file cannot be written (nothing is taken then)
     */
    public synchronized Outcome apply(AgentConfigSnapshot snapshot) throws IOException {
        Map<String, Value> next = new LinkedHashMap<>();
        List<ConfigReport.Error> refused = new ArrayList<>();
        for (AgentConfigSnapshot.Setting s : snapshot.result()) {
            Optional<AgentSettingSpec> spec = AgentSettingCatalog.find(s.name());
            String problem;
            if (spec.isEmpty()) {
                problem = "this agent has no setting '" + s.name() + "'";
            } else if (!spec.get().central()) {
                problem = s.name() + " cannot be set from the instance: " + spec.get().localOnly();
            } else {
                try {
                    next.put(s.name(), new Value(spec.get().validate(s.value()), s.source()));
                    continue;
                } catch (IllegalArgumentException e) {
                    problem = e.getMessage();
                }
            }
            Value kept = accepted.get(s.name());
            if (kept != null) {
                next.put(s.name(), kept);
                problem += "; keeping the last good value " + kept.value();
            }
            refused.add(new ConfigReport.Error(s.name(), s.value(), problem));
        }
        Set<String> changed = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>(accepted.keySet());
        names.addAll(next.keySet());
        for (String name : names) {
            Value before = accepted.get(name);
            Value after = next.get(name);
            if (before == null || after == null || !before.value().equals(after.value())) {
                changed.add(AgentSettingCatalog.find(name).orElseThrow().pid());
            }
        }
        if (file != null) {
            List<AgentConfigSnapshot.Setting> kept = new ArrayList<>();
            next.forEach((name, v) -> kept.add(new AgentConfigSnapshot.Setting(name, v.value(), v.source())));
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Json.mapper().writeValue(tmp.toFile(), new AgentConfigSnapshot(snapshot.revision(), kept));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        this.accepted = java.util.Collections.unmodifiableMap(next);
        this.revision = snapshot.revision();
        this.errors = List.copyOf(refused);
        return new Outcome(changed, this.errors);
    }
}
