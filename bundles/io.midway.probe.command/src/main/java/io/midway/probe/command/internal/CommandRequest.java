package io.midway.probe.command.internal;

import static io.midway.api.probe.ProbePayload.wholeNumber;
import static io.midway.api.probe.ProbePayload.describe;
import static io.midway.api.probe.ProbePayload.shorten;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;

/**
 * A validated Command payload: {@code {"command":"uptime","args":["-p"],"timeout_ms":5000,"stdin":"..."}}.
 * The command is a name from the allow-list, never a path or a command line.
 */
final class CommandRequest {

    private final String command;
    private final List<String> args;
    private final long timeoutMs;
    private final String stdin;

    private CommandRequest(String command, List<String> args, long timeoutMs, String stdin) {
        this.command = command;
        this.args = args;
        this.timeoutMs = timeoutMs;
        this.stdin = stdin;
    }

    /**
     * Reads and checks the payload of a request.
     *
     * @param request the ECC record
     * @param maxTimeoutMs the configured {@code timeout.ms}: the default and the largest accepted
     * @return the request
     * @throws ProbeException with a message for the operator when the payload is not valid
     */
    static CommandRequest from(ProbeRequest request, long maxTimeoutMs) throws ProbeException {
        Map<String, Object> payload = request.payload();
        return new CommandRequest(parseCommand(payload.get("command"), request.name()), parseArgs(payload.get("args")),
                parseTimeout(payload.get("timeout_ms"), maxTimeoutMs), parseStdin(payload.get("stdin")));
    }

    private static String parseCommand(Object value, String recordName) throws ProbeException {
        if (value == null) {
            String name = recordName.trim();
            if (name.isEmpty()) {
                throw new ProbeException("No command: the payload has no 'command' and the record has no 'name'. "
                        + "Give the name of an allowed command, e.g. {\"command\":\"uptime\",\"args\":[\"-p\"]}.");
            }
            return name;
        }
        if (!(value instanceof String)) {
            throw new ProbeException("payload.command must be a string (the name of an allowed command), not " + describe(value) + ".");
        }
        String command = ((String) value).trim();
        if (command.isEmpty()) {
            throw new ProbeException("payload.command is empty: give the name of an allowed command, e.g. \"uptime\".");
        }
        return command;
    }

    private static List<String> parseArgs(Object value) throws ProbeException {
        String accepted = "args must be a list of strings, e.g. [\"-p\"]";
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List)) {
            throw new ProbeException("payload.args must be a list, not " + describe(value) + ": " + accepted + ".");
        }
        List<?> list = (List<?>) value;
        List<String> args = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object arg = list.get(i);
            if (!(arg instanceof String)) {
                throw new ProbeException("payload.args[" + i + "] is " + describe(arg) + ", not a string: " + accepted
                        + " (write numbers as strings, e.g. \"5\").");
            }
            String text = (String) arg;
            if (text.indexOf('\0') >= 0) {
                throw new ProbeException("payload.args[" + i + "] contains a NUL character, which a command argument cannot hold.");
            }
            args.add(text);
        }
        return List.copyOf(args);
    }

    private static long parseTimeout(Object value, long maxTimeoutMs) throws ProbeException {
        if (value == null) {
            return maxTimeoutMs;
        }
        Long number = wholeNumber(value);
        if (number == null || number < 1 || number > maxTimeoutMs) {
            throw new ProbeException("payload.timeout_ms is " + describe(value) + ": it must be a whole number of milliseconds from 1 to "
                    + maxTimeoutMs + " (the agent's timeout.ms, also the default).");
        }
        return number;
    }

    private static String parseStdin(Object value) throws ProbeException {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String)) {
            throw new ProbeException("payload.stdin must be a string (sent to the command's standard input as UTF-8), not "
                    + describe(value) + ".");
        }
        return (String) value;
    }

    /** @return the allow-list name of the command */
    String command() {
        return command;
    }

    /** @return the arguments, passed to the executable as they are */
    List<String> args() {
        return args;
    }

    /** @return the time limit in milliseconds */
    long timeoutMs() {
        return timeoutMs;
    }

    /** @return the text for standard input, or {@code null} for none (standard input is closed at once) */
    String stdin() {
        return stdin;
    }
}
