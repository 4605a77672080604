package io.midway.probe.command.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The commands an operator allows on this agent: names mapped to absolute executable paths.
 *
 * <p>Built from the configuration property {@code allowed}, a list of {@code name=/absolute/path}
 * entries; each list element may also hold several entries separated by commas (a {@code .cfg}
 * file has no lists). Entries that are not of that form are ignored and remembered, so that a
 * refusal can say why a name the operator meant to allow is missing.
 */
final class CommandAllowList {

    /** Names are short identifiers: letters, digits, '.', '_' and '-'. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final Map<String, Path> commands;
    private final List<String> problems;

    private CommandAllowList(Map<String, Path> commands, List<String> problems) {
        this.commands = Collections.unmodifiableMap(commands);
        this.problems = Collections.unmodifiableList(problems);
    }

    /**
     * Parses the configured entries.
     *
     * @param entries the {@code allowed} property, may be {@code null}
     * @return the allow-list; entries that could not be used are listed in {@link #problems()}
     */
    static CommandAllowList parse(String[] entries) {
        Map<String, Path> commands = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        if (entries != null) {
            for (String element : entries) {
                if (element == null) {
                    continue;
                }
                for (String raw : element.split(",")) {
                    String entry = raw.trim();
                    if (!entry.isEmpty()) {
                        add(entry, commands, problems);
                    }
                }
            }
        }
        return new CommandAllowList(commands, problems);
    }

    private static void add(String entry, Map<String, Path> commands, List<String> problems) {
        int equals = entry.indexOf('=');
        if (equals < 0) {
            problems.add("'" + entry + "' is not of the form name=/absolute/path");
            return;
        }
        String name = entry.substring(0, equals).trim();
        String location = entry.substring(equals + 1).trim();
        if (!NAME.matcher(name).matches()) {
            problems.add("'" + entry + "' has an invalid name '" + name + "' (1-64 letters, digits, '.', '_' or '-')");
            return;
        }
        Path path;
        try {
            path = Path.of(location);
        } catch (InvalidPathException e) {
            problems.add("'" + entry + "' has an invalid path: " + e.getMessage());
            return;
        }
        if (location.isEmpty() || !path.isAbsolute()) {
            problems.add("'" + entry + "' does not give an absolute path for '" + name + "'");
            return;
        }
        if (commands.containsKey(name)) {
            problems.add("'" + entry + "' repeats the name '" + name + "'; the first entry (" + commands.get(name) + ") is used");
            return;
        }
        commands.put(name, path);
    }

    /**
     * @param name a command name
     * @return its executable, or {@code null} when the name is not allowed
     */
    Path executable(String name) {
        return commands.get(name);
    }

    /** @return the allowed names, in configuration order */
    List<String> names() {
        return List.copyOf(commands.keySet());
    }

    /** @return the configuration entries that were ignored, and why */
    List<String> problems() {
        return problems;
    }

    /**
     * @param name a command name
     * @return the problem with an ignored entry for that name, or {@code null}
     */
    String problemFor(String name) {
        for (String problem : problems) {
            if (problem.startsWith("'" + name + "=") || problem.startsWith("'" + name + " =")) {
                return problem;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return commands.toString();
    }
}
