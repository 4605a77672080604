package io.midway.protocol.ssh;

import java.io.IOException;

import org.osgi.annotation.versioning.ProviderType;

import io.midway.api.protocol.Protocol;

/**
 * The {@code ssh} protocol service: runs one command on a host over SSH and reads its exit code and
 * output. Registered with {@code midway.protocol=ssh}, so an agent that has it advertises the
 * capability {@code ssh}.
 *
 * <p>The server's host key is checked against the agent's OpenSSH {@code known_hosts} file under
 * the configured policy ({@code strict}, {@code accept-new} or {@code off}); a host whose key
 * changed is always refused unless the policy is {@code off}.
 *
 * <p>Failures are {@link IOException}s whose message is meant for the operator, names the target
 * ({@code host:port}) and never contains a password, key or passphrase:
 * {@link java.net.ConnectException} "cannot connect to 10.0.0.9:22: Connection refused",
 * {@link java.net.UnknownHostException}, {@link SshHostKeyException},
 * {@link SshAuthenticationException}, {@link SshTimeoutException}; anything else is a plain
 * {@link IOException} "SSH connection to host:port failed: …".
 *
 * <p>Implementations are thread-safe.
 */
@ProviderType
public interface SshProtocol extends Protocol {

    /** The protocol's name, the value of {@value Protocol#NAME_PROPERTY}. */
    String NAME = "ssh";

    /**
     * Connects, authenticates, runs the command and waits for it to end, all within
     * {@link SshCommand#timeout()}. A non-zero exit code is a result, not a failure.
     *
     * <p>Each output stream is kept up to {@link SshCommand#maxOutputBytes()}; when one passes it,
     * the command is stopped (a {@code TERM} signal, then the channel is closed) and the result is
     * marked truncated, usually without an exit code.
     *
     * @param command what to run where, and how to log in
     * @return the exit code and output
     * @throws IOException when the command could not be run to its end: no connection, host key
     *     refused, login refused or private key unusable, or the timeout passed (the command is then
     *     stopped)
     * @throws InterruptedException when the calling thread is interrupted; the command is stopped
     */
    SshResult execute(SshCommand command) throws IOException, InterruptedException;
}
