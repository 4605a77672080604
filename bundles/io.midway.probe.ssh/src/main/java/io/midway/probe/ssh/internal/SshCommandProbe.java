package io.midway.probe.ssh.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.credential.Credential;
import io.midway.api.credential.CredentialException;
import io.midway.api.credential.CredentialType;
import io.midway.api.credential.Credentials;
import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbePayload;
import io.midway.api.probe.ProbeRequest;
import io.midway.api.probe.ProbeResult;
import io.midway.api.probe.ProbeTopic;
import io.midway.api.secret.SecretScrubber;
import io.midway.protocol.ssh.SshAuthenticationException;
import io.midway.protocol.ssh.SshCommand;
import io.midway.protocol.ssh.SshProtocol;
import io.midway.protocol.ssh.SshResult;
import io.midway.protocol.ssh.SshTimeoutException;

/**
 * The probe for ECC topic {@code SSHCommand}: runs one command on a host through the {@code ssh}
 * protocol with an {@code ssh_key} or {@code basic} credential.
 *
 * <p>Payload {@code {"host","port","command","credential","timeout_ms","max_bytes","stdin","sudo"}};
 * result {@code {"exit_code","stdout","stderr","truncated","sudo"}}. A non-zero exit code is a result.
 *
 * <p>Privileged commands ({@link PrivilegedCommands}): a command on the configured list
 * ({@code privileged.commands}, PID {@value #PID}) runs through {@code sudo -n} when the credential
 * allows sudo; the list changes without a restart ({@link Modified}).
 *
 * <p>It needs the {@link SshProtocol} service (static: without the protocol bundle there is no
 * SSHCommand probe); the {@link Credentials} service is optional and may come and go.
 */
@Component(service = Probe.class, configurationPid = SshCommandProbe.PID)
@Designate(ocd = SshProbeConfiguration.class)
@ProbeTopic(SshCommandProbe.TOPIC)
public class SshCommandProbe implements Probe {

    /** The configuration PID of the probe. */
    public static final String PID = "io.midway.probe.ssh";

    /** The ECC topic this probe handles. */
    public static final String TOPIC = "SSHCommand";

    static final long DEFAULT_TIMEOUT_MS = 60_000;
    static final long MAX_TIMEOUT_MS = 600_000;
    static final long DEFAULT_MAX_BYTES = 1 << 20;
    static final long MAX_MAX_BYTES = 20 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(SshCommandProbe.class);

    private final SshProtocol ssh;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Credentials credentials;

    /** The privileged commands rule, replaced as a whole when the configuration changes. */
    private volatile PrivilegedCommands privileged = PrivilegedCommands.of("");

    /**
     * @param ssh the SSH client
     * @param config the probe's configuration: its privileged commands
     */
    @Activate
    public SshCommandProbe(@Reference(name = "ssh") SshProtocol ssh, SshProbeConfiguration config) {
        this.ssh = ssh;
        configure(config.privileged_commands());
    }

    /**
     * For tests: a probe with a credential store and a privileged commands list.
     *
     * @param ssh the SSH client
     * @param credentials the credentials, or {@code null}
     * @param privilegedCommands the list, comma-separated; empty for none
     */
    SshCommandProbe(SshProtocol ssh, Credentials credentials, String privilegedCommands) {
        this.ssh = ssh;
        this.credentials = credentials;
        configure(privilegedCommands);
    }

    /**
     * For tests: a probe with a credential store and no privileged commands.
     *
     * @param ssh the SSH client
     * @param credentials the credentials, or {@code null}
     */
    SshCommandProbe(SshProtocol ssh, Credentials credentials) {
        this(ssh, credentials, "");
    }

    /**
     * Takes a changed configuration at once, without restarting the probe.
     *
     * @param config the new configuration
     */
    @Modified
    void modified(SshProbeConfiguration config) {
        configure(config.privileged_commands());
    }

    /**
     * Sets the list; a bad list is logged and the last good one kept (none at the start).
     *
     * @param list the configured list
     */
    void configure(String list) {
        try {
            PrivilegedCommands rule = PrivilegedCommands.of(list);
            if (!rule.names().equals(privileged.names())) {
                LOG.info("SSHCommand privileged commands ({}): {}", PrivilegedCommands.SETTING, rule);
            }
            privileged = rule;
        } catch (IllegalArgumentException e) {
            LOG.error("{}; the privileged commands stay {}", e.getMessage(), privileged);
        }
    }

    /** @return the privileged commands in force, for tests */
    List<String> privilegedCommands() {
        return privileged.names();
    }

    @Override
    public ProbeResult run(ProbeRequest request) throws ProbeException, InterruptedException {
        ProbePayload payload = ProbePayload.of(request);
        String host = payload.requiredText("host", "the host name or IP address to run the command on, e.g. 10.0.0.9");
        int port = (int) payload.wholeNumber("port", 1, 65535, 22, "TCP port");
        String command = payload.requiredText("command", "the command line to run, e.g. uname -a");
        String named = payload.text("credential", null);
        long timeoutMs = payload.wholeNumber("timeout_ms", 1, MAX_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, "milliseconds");
        int maxBytes = (int) payload.wholeNumber("max_bytes", 0, MAX_MAX_BYTES, DEFAULT_MAX_BYTES, "bytes");
        byte[] stdin = payload.text("stdin", "").getBytes(StandardCharsets.UTF_8);
        Boolean sudo = payload.has("sudo") && payload.get("sudo") != null ? payload.bool("sudo", false) : null;
        String target = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        PrivilegedCommands rule = privileged;
        rule.check(command, sudo);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Job job = new Job(host, port, command, stdin, maxBytes, deadline, timeoutMs, target, rule, sudo);

        Credentials store = credentials;
        if (named != null && !named.isBlank()) {
            if (store == null) {
                throw new ProbeException("payload.credential names '" + named.trim() + "', but this agent has no credential store "
                        + "running: cannot log in to " + target + ".");
            }
            Credential credential = store.find(named.trim())
                    .orElseThrow(() -> new ProbeException("no credential '" + named.trim() + "' on this agent"));
            if (credential.type() != CredentialType.SSH_KEY && credential.type() != CredentialType.BASIC) {
                throw new ProbeException("credential '" + credential.name() + "' (" + credential.type().id() + ") cannot be used for "
                        + "SSH: the type " + credential.type().id() + " is not supported; use an ssh_key or basic credential.");
            }
            ProbeResult result = attempt(job, credential, request);
            store.worked(credential, host);
            return result;
        }
        if (store == null) {
            throw new ProbeException("no payload.credential and no credential store running on this agent: cannot log in to " + target
                    + ".");
        }
        List<Credential> candidates = candidates(store, host);
        if (candidates.isEmpty()) {
            throw new ProbeException("no active ssh_key or basic credential for " + host + ": add one, or name one in payload.credential.");
        }
        List<String> failures = new ArrayList<>();
        for (Credential credential : candidates) {
            try {
                ProbeResult result = attempt(job, credential, request);
                store.worked(credential, host);
                return result;
            } catch (CredentialFailure | PrivilegedCommands.CredentialRefusal e) {
                // only a refused login, an unusable credential or one without sudo (when asked) moves on to the next one
                failures.add(e.getMessage());
            }
        }
        throw new ProbeException("no ssh_key or basic credential worked for " + target + ": " + String.join("; ", failures));
    }

    /**
     * The candidates of both types: each type in the store's affinity order (the one that last
     * worked for the host first, then by order and name), {@code ssh_key} before {@code basic};
     * a {@code basic} credential that is recognisably the host's affinity (the store puts it ahead
     * of the plain order) goes first of all.
     */
    static List<Credential> candidates(Credentials store, String host) {
        List<Credential> keys = store.candidates(CredentialType.SSH_KEY, host);
        List<Credential> passwords = new ArrayList<>(store.candidates(CredentialType.BASIC, host));
        List<Credential> plainPasswords = store.candidates(CredentialType.BASIC, null);
        List<Credential> ordered = new ArrayList<>();
        if (!passwords.isEmpty() && !plainPasswords.isEmpty() && !passwords.get(0).id().equals(plainPasswords.get(0).id())) {
            ordered.add(passwords.remove(0));
        }
        ordered.addAll(keys);
        ordered.addAll(passwords);
        return ordered;
    }

    /** A credential could not be used (refused, unreadable); the message names it, without a secret. */
    private static final class CredentialFailure extends ProbeException {

        private static final long serialVersionUID = 1L;

        CredentialFailure(String message) {
            super(message);
        }
    }

    private ProbeResult attempt(Job job, Credential credential, ProbeRequest request) throws ProbeException, InterruptedException {
        String which = "credential '" + credential.name() + "' (" + credential.type().id() + ")";
        Optional<String> user = credential.field("user_name");
        if (user.isEmpty() || user.get().isBlank()) {
            throw new CredentialFailure(which + " has no user_name: SSH needs one.");
        }
        boolean elevated = job.rule.elevate(job.command, job.sudo, credential.name(),
                PrivilegedCommands.allows(credential.field("sudo").orElse(null)));
        String line = elevated ? PrivilegedCommands.SUDO_PREFIX + job.command.strip() : job.command;
        SecretScrubber scrubber;
        SshCommand.Builder builder = SshCommand.on(job.host, job.port).user(user.get().trim()).command(line).stdin(job.stdin)
                .maxOutputBytes(job.maxBytes);
        String passphraseProblem = null;
        try {
            if (credential.type() == CredentialType.SSH_KEY) {
                String key = credential.secret("ssh_private_key");
                String passphrase = null;
                try {
                    passphrase = credential.secret("ssh_passphrase");
                } catch (CredentialException e) {
                    passphraseProblem = e.getMessage();
                }
                builder.privateKey(key, passphrase);
                scrubber = SecretScrubber.of(key, passphrase);
            } else {
                String password = credential.secret("password");
                builder.password(password);
                scrubber = SecretScrubber.of(password);
            }
        } catch (CredentialException e) {
            throw new CredentialFailure(which + ": " + e.getMessage());
        }
        long remaining = TimeUnit.NANOSECONDS.toMillis(job.deadline - System.nanoTime());
        if (remaining <= 0) {
            throw new ProbeException("SSH command on " + job.target + " did not finish within " + job.timeoutMs + " ms");
        }
        SshCommand command;
        try {
            command = builder.timeout(Duration.ofMillis(remaining)).build();
        } catch (IllegalArgumentException e) {
            throw new ProbeException("Bad request: " + scrubber.scrub(e.getMessage()) + ".");
        }
        SshResult result;
        try {
            result = ssh.execute(command);
        } catch (SshAuthenticationException e) {
            String message;
            if (e.getMessage().startsWith("authentication as ")) {
                message = "authentication as " + command.user() + " at " + command.target() + " failed with credential '"
                        + credential.name() + "' (" + e.method() + ")";
            } else {
                message = which + ": " + e.getMessage() + (passphraseProblem != null && e.getMessage().contains("no passphrase")
                        ? " (" + passphraseProblem + ")" : "");
            }
            LOG.debug("{}: {}", request, scrubber.scrub(message));
            throw new CredentialFailure(scrubber.scrub(message));
        } catch (SshTimeoutException e) {
            // the protocol had what was left of the payload's timeout: report the payload's
            String message = "SSH command on " + job.target + " did not finish within " + job.timeoutMs + " ms"
                    + e.getMessage().replaceFirst("^.* within \\d+ ms", "");
            LOG.debug("{}: {} failed: {}", request, command, message);
            throw new ProbeException(message);
        } catch (IOException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() + " with " + job.target : e.getMessage();
            LOG.debug("{}: {} failed: {}", request, command, scrubber.scrub(message));
            throw new ProbeException(scrubber.scrub(message));
        }
        LOG.debug("{}: {}{} -> {}", request, command, elevated ? " through sudo" : "", result);
        String stderr = scrubber.scrub(new String(result.stderr(), StandardCharsets.UTF_8));
        if (elevated && result.exitCode().orElse(0) == 1 && result.stdout().length == 0
                && (stderr.startsWith("sudo: ") || stderr.startsWith("Sorry, user "))) {
            // sudo refused before the command ran: say so, with sudo's own words
            throw new ProbeException("sudo on " + job.target + " refused '" + PrivilegedCommands.program(job.command) + "' for "
                    + command.user() + " (credential '" + credential.name() + "'): " + stderr.strip() + ". Midway runs sudo -n and "
                    + "never sends a password: the host's sudoers must let " + command.user() + " run it with NOPASSWD");
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("exit_code", result.exitCode().isPresent() ? result.exitCode().getAsInt() : null);
        result.exitSignal().ifPresent(signal -> payload.put("exit_signal", signal));
        payload.put("stdout", scrubber.scrub(new String(result.stdout(), StandardCharsets.UTF_8)));
        payload.put("stderr", stderr);
        payload.put("truncated", result.stdoutTruncated() || result.stderrTruncated());
        payload.put("stdout_truncated", result.stdoutTruncated());
        payload.put("stderr_truncated", result.stderrTruncated());
        payload.put("sudo", elevated);
        return ProbeResult.of(payload);
    }

    /** What to run, the same for every credential tried. */
    private static final class Job {

        final String host;
        final int port;
        final String command;
        final byte[] stdin;
        final int maxBytes;
        final long deadline;
        final long timeoutMs;
        final String target;
        final PrivilegedCommands rule;
        final Boolean sudo;

        Job(String host, int port, String command, byte[] stdin, int maxBytes, long deadline, long timeoutMs, String target,
                PrivilegedCommands rule, Boolean sudo) {
            this.host = host;
            this.port = port;
            this.command = command;
            this.stdin = stdin;
            this.maxBytes = maxBytes;
            this.deadline = deadline;
            this.timeoutMs = timeoutMs;
            this.target = target;
            this.rule = rule;
            this.sudo = sudo;
        }
    }
}
