package io.midway.probe.command.internal;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;
import io.midway.api.probe.ProbeResult;
import io.midway.api.probe.ProbeTopic;

/**
 * The probe for ECC topic {@code Command}: runs a local command that the agent's operator listed
 * in the allow-list, with an argument list and no shell.
 *
 * <p>Payload {@code {"command":"uptime","args":["-p"],"timeout_ms":5000,"stdin":"..."}}; result
 * {@code {"exit_code":0,"stdout":"...","stderr":"","stdout_truncated":false,"stderr_truncated":false,"duration_ms":4}}.
 * A non-zero exit code is a result, not an error.
 */
@Component(service = Probe.class, configurationPid = CommandProbe.PID)
@ProbeTopic(CommandProbe.TOPIC)
@Designate(ocd = CommandProbe.Config.class)
public class CommandProbe implements Probe {

    /** The ECC topic this probe handles. */
    public static final String TOPIC = "Command";

    /** The configuration PID. */
    public static final String PID = "io.midway.probe.command";

    /** Default {@code timeout.ms}. */
    static final long DEFAULT_TIMEOUT_MS = 60_000;

    /** Default {@code max.output.bytes}: 1 MiB. */
    static final int DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

    /** The largest {@code max.output.bytes}: 20 MiB. */
    static final int MAX_OUTPUT_BYTES_CAP = 20 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(CommandProbe.class);

    /** Configuration of the Command probe. */
    @ObjectClassDefinition(name = "Midway Command probe",
            description = "Runs local commands named in an allow-list for ECC records with topic Command. "
                    + "Arguments are passed without a shell; commands get PATH as their only environment variable.")
    public @interface Config {

        /** @return the allowed commands as name=/absolute/path entries */
        @AttributeDefinition(name = "Allowed commands",
                description = "Entries name=/absolute/path/to/executable, e.g. uptime=/usr/bin/uptime; one per value, "
                        + "or several separated by commas. A payload names the command; anything not listed is refused. "
                        + "Empty: nothing runs. Never list a shell or an interpreter: it would allow any command.")
        String[] allowed() default {};

        /** @return the default and largest time limit */
        @AttributeDefinition(name = "Timeout (ms)", min = "1",
                description = "How long a command may run, and the largest payload.timeout_ms accepted. "
                        + "A command still running then is killed with the processes it started.")
        long timeout_ms() default DEFAULT_TIMEOUT_MS;

        /** @return the most bytes kept of each output stream */
        @AttributeDefinition(name = "Output limit (bytes)", min = "0", max = "20971520",
                description = "The most bytes kept of standard output and of standard error each (at most 20 MiB). "
                        + "The rest is read and discarded, and the result says the output was truncated.")
        int max_output_bytes() default DEFAULT_MAX_OUTPUT_BYTES;

        /** @return the working directory, empty for the system temporary directory */
        @AttributeDefinition(name = "Working directory", required = false,
                description = "The directory commands run in; empty for the system temporary directory (java.io.tmpdir).")
        String working_dir() default "";
    }

    private final CommandAllowList allowList;
    private final long timeoutMs;
    private final int maxOutputBytes;
    private final String workingDir;

    /**
     * @param config the configuration
     */
    @Activate
    public CommandProbe(Config config) {
        this.allowList = CommandAllowList.parse(config.allowed());
        for (String problem : allowList.problems()) {
            LOG.warn("Configuration {}: ignoring allowed entry {}", PID, problem);
        }
        long timeout = config.timeout_ms();
        if (timeout < 1) {
            LOG.warn("Configuration {}: timeout.ms={} is not positive; using {}", PID, timeout, DEFAULT_TIMEOUT_MS);
            timeout = DEFAULT_TIMEOUT_MS;
        }
        this.timeoutMs = timeout;
        int maxOutput = config.max_output_bytes();
        if (maxOutput < 0) {
            LOG.warn("Configuration {}: max.output.bytes={} is negative; using {}", PID, maxOutput, DEFAULT_MAX_OUTPUT_BYTES);
            maxOutput = DEFAULT_MAX_OUTPUT_BYTES;
        } else if (maxOutput > MAX_OUTPUT_BYTES_CAP) {
            LOG.warn("Configuration {}: max.output.bytes={} is above the cap; using {}", PID, maxOutput, MAX_OUTPUT_BYTES_CAP);
            maxOutput = MAX_OUTPUT_BYTES_CAP;
        }
        this.maxOutputBytes = maxOutput;
        String dir = config.working_dir() == null ? "" : config.working_dir().trim();
        this.workingDir = dir.isEmpty() ? System.getProperty("java.io.tmpdir") : dir;
        LOG.info("Command probe ready: {} allowed command(s) {}, timeout {} ms, output limit {} bytes, working directory {}",
                allowList.names().size(), allowList.names(), timeoutMs, maxOutputBytes, workingDir);
    }

    @Override
    public ProbeResult run(ProbeRequest request) throws ProbeException, InterruptedException {
        CommandRequest command = CommandRequest.from(request, timeoutMs);
        Path executable = allowedExecutable(command.command());
        Path directory = workingDirectory();

        LOG.info("{}: running allowed command '{}' ({}) with {} argument(s){}, timeout {} ms", request, command.command(),
                executable, command.args().size(), command.stdin() == null ? "" : " and standard input", command.timeoutMs());
        CommandExecutor.Outcome outcome = new CommandExecutor(maxOutputBytes, directory).run(command.command(), executable,
                command.args(), command.stdin(), command.timeoutMs(), "midway-command-" + request.sysId());
        LOG.info("{}: command '{}' exited with code {} after {} ms", request, command.command(), outcome.exitCode(),
                outcome.durationMs());

        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("exit_code", outcome.exitCode());
        payload.put("stdout", outcome.stdout());
        payload.put("stderr", outcome.stderr());
        payload.put("stdout_truncated", outcome.stdoutTruncated());
        payload.put("stderr_truncated", outcome.stderrTruncated());
        payload.put("duration_ms", outcome.durationMs());
        return ProbeResult.of(payload);
    }

    /** The executable for an allowed name, checked now (files may change after configuration). */
    private Path allowedExecutable(String name) throws ProbeException {
        Path executable = allowList.executable(name);
        if (executable == null) {
            List<String> names = allowList.names();
            StringBuilder message = new StringBuilder("command '").append(io.midway.api.probe.ProbePayload.shorten(name))
                    .append("' is not allowed on this agent; allowed: ")
                    .append(names.isEmpty() ? "none (an operator lists commands in 'allowed' of configuration " + PID + ")"
                            : String.join(", ", names));
            String problem = allowList.problemFor(name);
            if (problem != null) {
                message.append(". The configured entry ").append(problem).append(" and was ignored");
            }
            throw new ProbeException(message.toString());
        }
        if (!Files.exists(executable)) {
            throw new ProbeException("Allowed command '" + name + "' points to " + executable
                    + ", which does not exist on this agent; fix its entry in 'allowed' of configuration " + PID + ".");
        }
        if (Files.isDirectory(executable)) {
            throw new ProbeException("Allowed command '" + name + "' points to " + executable
                    + ", which is a directory, not an executable; fix its entry in 'allowed' of configuration " + PID + ".");
        }
        if (!Files.isExecutable(executable)) {
            throw new ProbeException("Allowed command '" + name + "' points to " + executable
                    + ", which the agent may not execute; check the file's permissions.");
        }
        return executable;
    }

    private Path workingDirectory() throws ProbeException {
        Path directory;
        try {
            directory = Path.of(workingDir);
        } catch (InvalidPathException e) {
            throw new ProbeException("working.dir '" + workingDir + "' of configuration " + PID + " is not a valid path.", e);
        }
        if (!Files.isDirectory(directory)) {
            throw new ProbeException("working.dir '" + workingDir + "' of configuration " + PID
                    + " does not exist or is not a directory.");
        }
        return directory;
    }
}
