package io.midway.agent.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agent's built-in answer to the instance's {@code SystemCommand} records, the MID Server's
 * system work. {@code {"command":"grab_logs","lines":500}} answers with the tail of the agent log
 * (at most {@value #MAX_LINES} lines and {@value #MAX_BYTES} bytes; the log never holds secrets).
 */
final class SystemCommandResponder {

    static final String TOPIC = "SystemCommand";
    static final int DEFAULT_LINES = 500;
    static final int MAX_LINES = 5000;
    static final int MAX_BYTES = 512 * 1024;

    /** A command the agent cannot carry out, with the reason for the record's error_string. */
    static final class CommandException extends Exception {
        private static final long serialVersionUID = 1L;

        CommandException(String message) {
            super(message);
        }
    }

    private final Path logFile;

    /** @param logFile the agent's current log file ({@code <data>/agent.log}) */
    SystemCommandResponder(Path logFile) {
        this.logFile = logFile;
    }

    /**
     * @param payload the record's payload
     * @return the answer's payload
     * @throws CommandException when the command is unknown or its arguments are wrong
     */
    Map<String, Object> answer(Map<String, Object> payload) throws CommandException {
        Object command = payload.get("command");
        if (!"grab_logs".equals(command)) {
            throw new CommandException(command == null ? "SystemCommand needs a \"command\"; this agent knows grab_logs"
                    : "Unknown SystemCommand '" + command + "'; this agent knows grab_logs");
        }
        int lines = lines(payload.get("lines"));
        LogTail.Tail tail;
        try {
            tail = LogTail.read(logFile, lines, MAX_BYTES);
        } catch (IOException e) {
            throw new CommandException("grab_logs could not read " + logFile.getFileName() + ": " + e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("command", "grab_logs");
        out.put("file", logFile.getFileName().toString());
        out.put("line_count", tail.lines().size());
        out.put("truncated", tail.truncated());
        out.put("log", String.join("\n", tail.lines()));
        return out;
    }

    private static int lines(Object value) throws CommandException {
        if (value == null) {
            return DEFAULT_LINES;
        }
        int n;
        if (value instanceof Number number) {
            n = number.intValue();
        } else {
            try {
                n = Integer.parseInt(value.toString().trim());
            } catch (NumberFormatException e) {
                throw new CommandException("grab_logs \"lines\" must be a number from 1 to " + MAX_LINES + ", not '" + value + "'");
            }
        }
        if (n < 1 || n > MAX_LINES) {
            throw new CommandException("grab_logs \"lines\" must be a number from 1 to " + MAX_LINES + ", not " + n);
        }
        return n;
    }
}
