package io.midway.agent.internal.work;

import io.midway.agent.internal.lifecycle.AgentLifecycle;
import io.midway.agent.internal.lifecycle.Supervisor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's built-in answer to the instance's {@code SystemCommand} records, the MID Server's
 * system work:
 * <ul>
 * <li>{@code {"command":"grab_logs","lines":500}} answers with the tail of the agent log (at most
 * {@value #MAX_LINES} lines and {@value #MAX_BYTES} bytes; the log never holds secrets);</li>
 * <li>{@code {"command":"restart"}} (mode {@code in_place}, the default) restarts the core and the
 * plug-in bundles without the JVM; {@code {"command":"restart","mode":"process"}} ends the process
 * with {@link AgentLifecycle#EXIT_RESTART} for its supervisor to start it again, and is refused
 * when no supervisor is known ({@link Supervisor});</li>
 * <li>{@code {"command":"stop"}} stops the agent; the process exits 0.</li>
 * </ul>
 * Restart and stop only say here what will be done; {@link Control#afterAnswer} does it once the
 * answer has reached the instance.
 */
public final class SystemCommandResponder {

    public static final String TOPIC = "SystemCommand";
    public static final int DEFAULT_LINES = 500;
    public static final int MAX_LINES = 5000;
    public static final int MAX_BYTES = 512 * 1024;

    public static final String GRAB_LOGS = "grab_logs";
    public static final String RESTART = "restart";
    public static final String STOP = "stop";
    public static final List<String> COMMANDS = List.of(GRAB_LOGS, RESTART, STOP);
    public static final String MODE_IN_PLACE = "in_place";
    public static final String MODE_PROCESS = "process";
    public static final List<String> MODES = List.of(MODE_IN_PLACE, MODE_PROCESS);

    /** What a restart or stop does, after its answer is delivered. */
    public enum Action {
        RESTART_IN_PLACE, RESTART_PROCESS, STOP
    }

    /** The running agent, as the responder sees it. */
    public interface Control {
        /**
         * @return the names of the plug-in bundles an in-place restart restarts
         * @throws CommandException when the agent cannot restart in place (no framework)
         */
        List<String> plugins() throws CommandException;

        /** @return the process's supervisor, or empty when none restarts it */
        Optional<String> supervisor();

        /**
         * Does the action once the answer to the record has been delivered to the instance.
         *
         * @param sysId the SystemCommand record
         * @param action what to do
         * @throws CommandException when another restart or stop is already under way
         */
        void afterAnswer(String sysId, Action action) throws CommandException;
    }

    /** A command the agent cannot carry out, with the reason for the record's error_string. */
    public static final class CommandException extends Exception {
        private static final long serialVersionUID = 1L;

        public CommandException(String message) {
            super(message);
        }
    }

    private final Path logFile;
    private final Control control;

    /** @param logFile the agent's current log file ({@code <data>/agent.log}) */
    public SystemCommandResponder(Path logFile) {
        this(logFile, null);
    }

    /**
     * @param logFile the agent's current log file ({@code <data>/agent.log})
     * @param control the running agent, for restart and stop; {@code null} when it offers neither
     */
    public SystemCommandResponder(Path logFile, Control control) {
        this.logFile = logFile;
        this.control = control;
    }

    /**
     * @param payload the record's payload
     * @return the answer's payload
     * @throws CommandException when the command is unknown or its arguments are wrong
     */
    public Map<String, Object> answer(Map<String, Object> payload) throws CommandException {
        return answer(null, payload);
    }

    /**
     * @param sysId the SystemCommand record's sys_id
     * @param payload the record's payload
     * @return the answer's payload
     * @throws CommandException when the command is unknown, its arguments are wrong, or it cannot be done here
     */
    public Map<String, Object> answer(String sysId, Map<String, Object> payload) throws CommandException {
        Object command = payload.get("command");
        if (GRAB_LOGS.equals(command)) {
            return grabLogs(payload);
        }
        if (RESTART.equals(command)) {
            return restart(sysId, payload.get("mode"));
        }
        if (STOP.equals(command)) {
            Control c = control(STOP);
            c.afterAnswer(sysId, Action.STOP);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("command", STOP);
            out.put("result", "stopping the agent: running work finishes, then the process exits with status "
                    + AgentLifecycle.EXIT_STOP);
            return out;
        }
        throw new CommandException(command == null ? "SystemCommand needs a \"command\"; this agent knows " + known()
                : "Unknown SystemCommand '" + command + "'; this agent knows " + known());
    }

    private static String known() {
        return String.join(", ", COMMANDS);
    }

    private Control control(String command) throws CommandException {
        if (control == null) {
            throw new CommandException("SystemCommand " + command + " is not available in this agent (it runs without "
                    + "its OSGi framework)");
        }
        return control;
    }

    private Map<String, Object> restart(String sysId, Object modeValue) throws CommandException {
        String mode = modeValue == null ? MODE_IN_PLACE : modeValue.toString().trim();
        if (!MODES.contains(mode)) {
            throw new CommandException("Unknown restart mode '" + mode + "'; this agent knows " + String.join(", ", MODES)
                    + " (the default is " + MODE_IN_PLACE + ")");
        }
        Control c = control(RESTART);
        String result;
        if (MODE_IN_PLACE.equals(mode)) {
            List<String> plugins = c.plugins();
            c.afterAnswer(sysId, Action.RESTART_IN_PLACE);
            result = "restarting core and " + plugins.size() + " plug-in" + (plugins.size() == 1 ? "" : "s")
                    + " without restarting the JVM";
        } else {
            Optional<String> supervisor = c.supervisor();
            if (supervisor.isEmpty()) {
                throw new CommandException("restart mode process needs a supervisor that starts the agent again, and "
                        + "this agent has none: it does not run under systemd (no " + Supervisor.SYSTEMD_VARIABLE
                        + " in its environment) and " + Supervisor.SUPERVISED_VARIABLE + " is not true. Run it as a "
                        + "systemd service with Restart=on-failure (README: Running the agent under systemd), or set "
                        + Supervisor.SUPERVISED_VARIABLE + "=true when another supervisor starts it again after exit "
                        + "status " + AgentLifecycle.EXIT_RESTART + "; or use mode " + MODE_IN_PLACE
                        + ". The agent keeps running.");
            }
            c.afterAnswer(sysId, Action.RESTART_PROCESS);
            result = "restarting the process: running work finishes, then it exits with status "
                    + AgentLifecycle.EXIT_RESTART + " for " + supervisor.get() + " to start it again";
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("command", RESTART);
        out.put("mode", mode);
        out.put("result", result);
        return out;
    }

    private Map<String, Object> grabLogs(Map<String, Object> payload) throws CommandException {
        int lines = lines(payload.get("lines"));
        LogTail.Tail tail;
        try {
            tail = LogTail.read(logFile, lines, MAX_BYTES);
        } catch (IOException e) {
            throw new CommandException("grab_logs could not read " + logFile.getFileName() + ": " + e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("command", GRAB_LOGS);
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
