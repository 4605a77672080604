package io.midway.protocol.ssh.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.core.CoreModuleProperties;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.protocol.MidwayProtocol;
import io.midway.api.protocol.Protocol;
import io.midway.protocol.ssh.SshAuthenticationException;
import io.midway.protocol.ssh.SshCommand;
import io.midway.protocol.ssh.SshHostKeyException;
import io.midway.protocol.ssh.SshProtocol;
import io.midway.protocol.ssh.SshResult;
import io.midway.protocol.ssh.SshTimeoutException;

/**
 * The {@code ssh} protocol on Apache MINA SSHD: one {@link SshClient} for the component's life,
 * made at the first command (SSHD and the cryptography it loads cost the agent's start a second of
 * CPU and a few threads it does not need until then), one session per command, host keys checked
 * against the configured known_hosts file.
 */
@Component(service = {SshProtocol.class, Protocol.class}, configurationPid = MinaSshProtocol.PID)
@MidwayProtocol(SshProtocol.NAME)
@Designate(ocd = SshProtocolConfiguration.class)
public class MinaSshProtocol implements SshProtocol {

    /** The configuration PID. */
    public static final String PID = "io.midway.protocol.ssh";

    /** The framework property with the agent's home folder, against which a relative known_hosts path is resolved. */
    public static final String HOME_PROPERTY = "midway.home";

    private static final Logger LOG = LoggerFactory.getLogger(MinaSshProtocol.class);

    /** Where a session was meant to go, for the host key check. */
    private static final AttributeKey<Target> TARGET = new AttributeKey<>();

    private final KnownHosts knownHosts;
    /** Guards {@link #client} and {@link #closed}. */
    private final Object clientLock = new Object();
    private SshClient client;
    private boolean closed;

    /**
     * @param config the configuration
     * @param context for the framework property {@value #HOME_PROPERTY}
     */
    @Activate
    public MinaSshProtocol(SshProtocolConfiguration config, BundleContext context) {
        this(config, home(context.getProperty(HOME_PROPERTY)));
    }

    /**
     * @param config the configuration
     * @param home the agent's home folder, for a relative known_hosts path
     */
    MinaSshProtocol(SshProtocolConfiguration config, Path home) {
        HostKeyPolicy policy;
        try {
            policy = HostKeyPolicy.of(config.host__key_policy());
        } catch (IllegalArgumentException e) {
            LOG.error("{}; using strict", e.getMessage());
            policy = HostKeyPolicy.STRICT;
        }
        String configured = config.known__hosts_path() == null || config.known__hosts_path().isBlank() ? "etc/known_hosts"
                : config.known__hosts_path().trim();
        Path file = home.resolve(configured).toAbsolutePath().normalize();
        this.knownHosts = new KnownHosts(file, policy);
        if (policy == HostKeyPolicy.OFF) {
            LOG.warn("SSH host keys are NOT checked (host_key.policy=off): anyone on the network path can pose as a host");
        } else {
            LOG.info("SSH host keys are checked against {} (host_key.policy={})", file, policy.id());
        }
    }

    /**
     * @return the client, started at the first call
     * @throws IOException when the component was deactivated
     */
    private SshClient client() throws IOException {
        synchronized (clientLock) {
            if (closed) {
                throw new IOException("the ssh protocol is stopping");
            }
            if (client == null) {
                SshClient ssh = SshClient.setUpDefaultClient();
                // nothing from the agent user's ~/.ssh: no config, no default identities
                ssh.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
                ssh.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
                ssh.setServerKeyVerifier(this::verifyServerKey);
                ssh.setSignatureFactories(ed25519First(ssh.getSignatureFactories()));
                CoreModuleProperties.PASSWORD_PROMPTS.set(ssh, 1);
                ssh.start();
                client = ssh;
            }
            return client;
        }
    }

    static Path home(String property) {
        return Path.of(property == null || property.isBlank() ? "." : property.trim()).toAbsolutePath().normalize();
    }

    /** Prefers ed25519 host keys, as OpenSSH does, so that the key type recorded by OpenSSH is the one asked for. */
    private static List<NamedFactory<Signature>> ed25519First(List<NamedFactory<Signature>> factories) {
        List<NamedFactory<Signature>> ordered = new ArrayList<>();
        for (NamedFactory<Signature> factory : factories) {
            if (factory.getName().startsWith("ssh-ed25519")) {
                ordered.add(factory);
            }
        }
        for (NamedFactory<Signature> factory : factories) {
            if (!factory.getName().startsWith("ssh-ed25519")) {
                ordered.add(factory);
            }
        }
        return ordered;
    }

    @Deactivate
    void deactivate() {
        SshClient started;
        synchronized (clientLock) {
            closed = true;
            started = client;
        }
        if (started == null) {
            return;
        }
        try {
            started.stop();
        } catch (RuntimeException e) {
            LOG.warn("Stopping the SSH client failed: {}", e.toString());
        }
    }

    /** @return the known_hosts file in use */
    Path knownHostsFile() {
        return knownHosts.file();
    }

    private boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
        Target target = session.getConnectionContext() == null ? null : session.getConnectionContext().getAttribute(TARGET);
        if (target == null) {
            LOG.error("Cannot check the host key of {}: the session has no target", remote);
            return false;
        }
        try {
            knownHosts.check(target.host, target.port, key);
            return true;
        } catch (SshHostKeyException e) {
            LOG.warn("{}", e.getMessage());
            target.refusal = e;
            return false;
        } catch (IOException | RuntimeException e) {
            LOG.error("Cannot check the host key of {}: {}", target, e.getMessage());
            target.refusal = new SshHostKeyException("cannot check the host key of " + target + ": " + e.getMessage());
            return false;
        }
    }

    @Override
    public SshResult execute(SshCommand command) throws IOException, InterruptedException {
        String target = command.target();
        long timeoutMs = Math.max(1, command.timeout().toMillis());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        KeyPair keyPair = command.privateKey().isPresent()
                ? PrivateKeyReader.read(command.privateKey().get(), command.passphrase().orElse(null))
                : null;

        // the session's attributes are cleared when it closes: the host key check reports here instead
        Target where = new Target(command.host(), command.port());
        ConnectFuture connecting;
        try {
            connecting = client().connect(command.user(), command.host(), command.port(), AttributeRepository.ofKeyValuePair(TARGET, where),
                    null);
        } catch (UnresolvedAddressException e) {
            throw unknownHost(command);
        } catch (IOException | IllegalArgumentException e) {
            throw connectFailure(command, e);
        }
        if (!await(connecting::await, deadline)) {
            connecting.cancel();
            throw timeout(command, timeoutMs, "connecting");
        }
        if (!connecting.isConnected()) {
            throw connectFailure(command, connecting.getException());
        }
        try (ClientSession session = connecting.getSession()) {
            CoreModuleProperties.PREFERRED_AUTHS.set(session, command.authenticationMethod());
            if (keyPair != null) {
                session.addPublicKeyIdentity(keyPair);
            } else {
                session.addPasswordIdentity(command.password().orElseThrow());
            }
            AuthFuture auth = session.auth();
            if (!await(auth::await, deadline)) {
                if (where.refusal != null) {
                    throw where.refusal;
                }
                throw timeout(command, timeoutMs, "logging in");
            }
            if (!auth.isSuccess()) {
                if (where.refusal != null) {
                    throw where.refusal;
                }
                if (session.getServerKey() == null) {
                    // the connection ended before the key exchange finished: no SSH server, or it hung up
                    throw new IOException("SSH connection to " + target + " failed before login: " + reason(auth.getException()));
                }
                throw new SshAuthenticationException("authentication as " + command.user() + " at " + target + " failed ("
                        + command.authenticationMethod() + ")", command.authenticationMethod());
            }
            return run(session, command, deadline, timeoutMs);
        } finally {
            connecting.cancel();
        }
    }

    private SshResult run(ClientSession session, SshCommand command, long deadline, long timeoutMs) throws IOException, InterruptedException {
        AtomicReference<ChannelExec> opened = new AtomicReference<>();
        Runnable stop = () -> stop(opened.get());
        BoundedOutput stdout = new BoundedOutput(command.maxOutputBytes(), stop);
        BoundedOutput stderr = new BoundedOutput(command.maxOutputBytes(), stop);
        try (ChannelExec channel = session.createExecChannel(command.command())) {
            opened.set(channel);
            // stdin is always given (empty when none), so that the command sees its end
            channel.setIn(new ByteArrayInputStream(command.stdin()));
            channel.setOut(stdout);
            channel.setErr(stderr);
            OpenFuture open = channel.open();
            if (!await(open::await, deadline)) {
                throw timeout(command, timeoutMs, "opening the channel");
            }
            if (!open.isOpened()) {
                throw new IOException("SSH server " + command.target() + " refused to run the command: " + reason(open.getException()));
            }
            long remaining = remainingMs(deadline);
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Math.max(1, remaining));
            if (Thread.interrupted()) {
                stop(channel);
                throw new InterruptedException("interrupted while running a command on " + command.target());
            }
            if (events.contains(ClientChannelEvent.TIMEOUT) && !stdout.truncated() && !stderr.truncated()) {
                stop(channel);
                throw timeout(command, timeoutMs, "running");
            }
            SshResult result = new SshResult(channel.getExitStatus(), channel.getExitSignal(), stdout.bytes(), stderr.bytes(),
                    stdout.truncated(), stderr.truncated());
            LOG.debug("{} -> {}", command, result);
            return result;
        }
    }

    /**
     * Stops a running command: a TERM signal for its process group, then the channel is closed.
     * OpenSSH (7.9 and later) delivers the signal only to sessions of non-root users (it needs
     * privilege separation, which it skips for root); elsewhere the command runs on by itself.
     */
    private static void stop(ChannelExec channel) {
        if (channel == null || channel.isClosing()) {
            return;
        }
        try {
            Buffer request = channel.getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, 32);
            request.putUInt(channel.getRecipient());
            request.putString("signal");
            request.putBoolean(false);
            request.putString("TERM");
            channel.writePacket(request);
        } catch (IOException | RuntimeException e) {
            LOG.debug("Cannot send a signal to the command: {}", e.toString());
        }
        channel.close(false);
    }

    @FunctionalInterface
    private interface Await {
        boolean await(long timeoutMillis) throws IOException;
    }

    /** @return whether the future completed before the deadline */
    private static boolean await(Await future, long deadline) throws IOException, InterruptedException {
        long remaining = remainingMs(deadline);
        if (remaining <= 0) {
            return false;
        }
        try {
            return future.await(remaining);
        } catch (java.io.InterruptedIOException e) {
            InterruptedException interrupted = new InterruptedException("interrupted");
            interrupted.initCause(e);
            throw interrupted;
        }
    }

    private static long remainingMs(long deadline) {
        return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    }

    private static SshTimeoutException timeout(SshCommand command, long timeoutMs, String stage) {
        return new SshTimeoutException("SSH command on " + command.target() + " did not finish within " + timeoutMs + " ms (still "
                + stage + ")");
    }

    private static UnknownHostException unknownHost(SshCommand command) {
        return new UnknownHostException("cannot connect to " + command.target() + ": unknown host '" + command.host() + "'");
    }

    private static IOException connectFailure(SshCommand command, Throwable failure) {
        if (find(failure, UnresolvedAddressException.class) != null || find(failure, UnknownHostException.class) != null) {
            return unknownHost(command);
        }
        ConnectException refused = find(failure, ConnectException.class);
        if (refused != null) {
            String reason = refused.getMessage() == null || refused.getMessage().isBlank() ? "Connection refused" : refused.getMessage();
            ConnectException exception = new ConnectException("cannot connect to " + command.target() + ": " + reason);
            exception.initCause(failure);
            return exception;
        }
        if (find(failure, NoRouteToHostException.class) != null) {
            return new NoRouteToHostException("cannot connect to " + command.target() + ": no route to host");
        }
        return new IOException("cannot connect to " + command.target() + ": " + reason(failure), failure);
    }

    private static String reason(Throwable failure) {
        String message = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message != null ? message : failure == null ? "unknown reason" : failure.getClass().getSimpleName();
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** Where a session goes. */
    private static final class Target {

        final String host;
        final int port;
        /** Set by the host key check when it refuses the server. */
        volatile SshHostKeyException refusal;

        Target(String host, int port) {
            this.host = host;
            this.port = port;
        }

        @Override
        public String toString() {
            return KnownHosts.entryName(host, port);
        }
    }
}
