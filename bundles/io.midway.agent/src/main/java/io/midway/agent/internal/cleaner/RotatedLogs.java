package io.midway.agent.internal.cleaner;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Rotated log files beyond the count ({@code midway.log.max.files}): the logging keeps
 * {@code agent.log} and {@code agent.log.1} … {@code agent.log.<files-1>}; a file
 * {@code agent.log.<n>} with {@code n >= files} (left when the count was lowered) is unused.
 */
final class RotatedLogs implements CleanupRule {

    private final Path logFile;
    private final int files;

    /**
     * @param logFile the current log file, or {@code null} when the agent logs to no file
     * @param files how many files the logging keeps in all
     */
    RotatedLogs(Path logFile, int files) {
        this.logFile = logFile;
        this.files = files;
    }

    @Override
    public String name() {
        return "log";
    }

    @Override
    public List<Path> unused() throws IOException {
        if (logFile == null || logFile.getParent() == null) {
            return List.of();
        }
        String prefix = logFile.getFileName() + ".";
        return CleanupRule.list(logFile.getParent(), name -> {
            if (!name.startsWith(prefix)) {
                return false;
            }
            String number = name.substring(prefix.length());
            if (number.isEmpty() || number.length() > 6 || !number.chars().allMatch(Character::isDigit)) {
                return false;
            }
            return Integer.parseInt(number) >= files;
        });
    }
}
