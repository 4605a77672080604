package io.midway.agent.internal.cleaner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.wire.Json;

/**
 * Core jars older than the last good one: what upgrades left behind in the upgrader's
 * {@code upgrader/incoming/} and the core's {@code upgrade/download/}, and a copy the upgrader
 * did not finish ({@code upgrader/.current.jar.tmp}). Never {@code upgrader/current.jar} (the
 * running core, kept for rollback), never the jar of the last good core ({@code current.json}),
 * never the jar of an upgrade still {@code running} in {@code history.json}; when that history
 * cannot be read, nothing is removed from {@code incoming/}.
 */
final class OldCores implements CleanupRule {

    private final Path data;

    /** @param data the agent's data folder */
    OldCores(Path data) {
        this.data = data;
    }

    @Override
    public String name() {
        return "core";
    }

    @Override
    public List<Path> unused() throws IOException {
        Path upgrader = data.resolve("upgrader");
        Set<String> keep = new HashSet<>();
        Path current = upgrader.resolve("current.json");
        if (Files.isRegularFile(current)) {
            keep.add(Json.mapper().readTree(current.toFile()).path("sha256").asText(""));
        }
        boolean historyKnown = true;
        Path history = upgrader.resolve("history.json");
        if (Files.isRegularFile(history)) {
            try {
                for (JsonNode record : Json.mapper().readTree(history.toFile())) {
                    if ("running".equals(record.path("outcome").asText())) {
                        keep.add(record.path("sha256").asText(""));
                    }
                }
            } catch (IOException e) {
                historyKnown = false;
            }
        }
        List<Path> out = new ArrayList<>();
        if (historyKnown) {
            out.addAll(CleanupRule.list(upgrader.resolve("incoming"), n -> n.endsWith(".jar") && !keep.contains(hash(n))));
        }
        out.addAll(CleanupRule.list(data.resolve("upgrade").resolve("download"),
                n -> n.endsWith(".jar") && !keep.contains(hash(n))));
        out.addAll(CleanupRule.list(upgrader, ".current.jar.tmp"::equals));
        return out;
    }

    private static String hash(String jarName) {
        return jarName.substring(0, jarName.length() - ".jar".length());
    }
}
