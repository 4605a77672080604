package io.midway.protocol.ssh;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One command to run with {@link SshProtocol#execute(SshCommand)}: an immutable value made with
 * {@link #on(String, int)}.
 *
 * <pre>
 * SshCommand command = SshCommand.on("10.0.0.9", 22)
 *         .user("discovery")
 *         .privateKey(keyText, passphrase)       // or .password(password)
 *         .command("uname -a")
 *         .stdin(bytes)                          // optional; stdin is closed after it
 *         .timeout(Duration.ofSeconds(30))       // connect + login + run
 *         .maxOutputBytes(1 &lt;&lt; 20)              // per stream
 *         .build();
 * </pre>
 *
 * <p>Its {@link #toString()} shows the target, the user and the authentication method; never the
 * password, the key, the passphrase or stdin.
 */
@ProviderType
public final class SshCommand {

    /** Default {@link #timeout()}: 60 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** Default {@link #maxOutputBytes()}: 1 MiB per stream. */
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 1 << 20;

    /** The largest {@link #maxOutputBytes()} accepted: what one byte array can hold. */
    public static final int LARGEST_MAX_OUTPUT_BYTES = Integer.MAX_VALUE - 8;

    /** Authentication with a password. */
    public static final String PASSWORD = "password";

    /** Authentication with a private key. */
    public static final String PUBLICKEY = "publickey";

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String privateKey;
    private final String passphrase;
    private final String command;
    private final byte[] stdin;
    private final Duration timeout;
    private final int maxOutputBytes;

    private SshCommand(Builder builder) {
        this.host = builder.host;
        this.port = builder.port;
        this.user = builder.user;
        this.password = builder.password;
        this.privateKey = builder.privateKey;
        this.passphrase = builder.passphrase;
        this.command = builder.command;
        this.stdin = builder.stdin.clone();
        this.timeout = builder.timeout;
        this.maxOutputBytes = builder.maxOutputBytes;
    }

    /**
     * Starts a command for a host: no stdin, {@link #DEFAULT_TIMEOUT},
     * {@link #DEFAULT_MAX_OUTPUT_BYTES}; user, authentication and command are required.
     *
     * @param host a host name or IP address
     * @param port the SSH port, 1 to 65535 (usually 22)
     * @return a builder
     */
    public static Builder on(String host, int port) {
        return new Builder(host, port);
    }

    /** @return the host name or address */
    public String host() {
        return host;
    }

    /** @return the port */
    public int port() {
        return port;
    }

    /** @return {@code host:port} ({@code [v6]:port} for an IPv6 address), for messages and logs */
    public String target() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** @return the user to log in as */
    public String user() {
        return user;
    }

    /** @return {@link #PASSWORD} or {@link #PUBLICKEY} */
    public String authenticationMethod() {
        return password != null ? PASSWORD : PUBLICKEY;
    }

    /** @return the password, a secret, when logging in with one */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /** @return the private key text (OpenSSH or PEM), a secret, when logging in with a key */
    public Optional<String> privateKey() {
        return Optional.ofNullable(privateKey);
    }

    /** @return the private key's passphrase, a secret, when one was given */
    public Optional<String> passphrase() {
        return Optional.ofNullable(passphrase);
    }

    /** @return the command line, run by the user's shell on the host */
    public String command() {
        return command;
    }

    /** @return a copy of the bytes sent to the command's stdin (then stdin is closed); empty for none */
    public byte[] stdin() {
        return stdin.clone();
    }

    /** @return how long connecting, logging in and running the command may take together */
    public Duration timeout() {
        return timeout;
    }

    /** @return how many bytes of stdout, and of stderr, are kept at most */
    public int maxOutputBytes() {
        return maxOutputBytes;
    }

    @Override
    public String toString() {
        return "SshCommand[" + user + "@" + target() + " (" + authenticationMethod() + "), " + command.length() + " command char(s), "
                + stdin.length + " stdin byte(s)]";
    }

    /** Builds an {@link SshCommand}. Not thread-safe. */
    public static final class Builder {

        private final String host;
        private final int port;
        private String user;
        private String password;
        private String privateKey;
        private String passphrase;
        private String command;
        private byte[] stdin = new byte[0];
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;

        private Builder(String host, int port) {
            this.host = host;
            this.port = port;
        }

        /**
         * @param user the user to log in as
         * @return this builder
         */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /**
         * Logs in with a password (replaces a private key given before).
         *
         * @param password the password
         * @return this builder
         */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password");
            this.privateKey = null;
            this.passphrase = null;
            return this;
        }

        /**
         * Logs in with a private key (replaces a password given before).
         *
         * @param privateKey the key text: OpenSSH ({@code -----BEGIN OPENSSH PRIVATE KEY-----}) or PEM
         * @param passphrase its passphrase, or {@code null}/empty for an unencrypted key
         * @return this builder
         */
        public Builder privateKey(String privateKey, String passphrase) {
            this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
            this.passphrase = passphrase == null || passphrase.isEmpty() ? null : passphrase;
            this.password = null;
            return this;
        }

        /**
         * @param command the command line, run by the user's shell
         * @return this builder
         */
        public Builder command(String command) {
            this.command = command;
            return this;
        }

        /**
         * @param stdin bytes for the command's stdin (copied); stdin is closed after them
         * @return this builder
         */
        public Builder stdin(byte[] stdin) {
            this.stdin = Objects.requireNonNull(stdin, "stdin").clone();
            return this;
        }

        /**
         * @param timeout how long connecting, logging in and running may take together, positive
         * @return this builder
         * @throws IllegalArgumentException when not positive
         */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("the timeout must be positive, not " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * @param maxOutputBytes how many bytes of stdout, and of stderr, to keep: 0 to
         *     {@link SshCommand#LARGEST_MAX_OUTPUT_BYTES}
         * @return this builder
         * @throws IllegalArgumentException when out of range
         */
        public Builder maxOutputBytes(int maxOutputBytes) {
            if (maxOutputBytes < 0 || maxOutputBytes > LARGEST_MAX_OUTPUT_BYTES) {
                throw new IllegalArgumentException("the output limit must be from 0 to " + LARGEST_MAX_OUTPUT_BYTES + " bytes, not "
                        + maxOutputBytes);
            }
            this.maxOutputBytes = maxOutputBytes;
            return this;
        }

        /**
         * @return the command
         * @throws IllegalArgumentException when the host, user or command is missing or blank, the
         *     port is not 1 to 65535, no password or key was given, or a value holds a line break
         *     or NUL where none is allowed
         */
        public SshCommand build() {
            if (host == null || host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == '/' || c == '@')) {
                throw new IllegalArgumentException("the host must be a host name or IP address, not '" + shorten(String.valueOf(host)) + "'");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("the port must be from 1 to 65535, not " + port);
            }
            if (user == null || user.isBlank() || user.chars().anyMatch(c -> c < ' ' || c == 0x7f)) {
                throw new IllegalArgumentException("the user name is missing or holds a control character");
            }
            if (password == null && privateKey == null) {
                throw new IllegalArgumentException("no password and no private key: give one to log in as " + user);
            }
            if (command == null || command.isBlank()) {
                throw new IllegalArgumentException("the command is missing");
            }
            if (command.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("the command holds a NUL character");
            }
            return new SshCommand(this);
        }

        private static String shorten(String text) {
            return text.length() <= 80 ? text : text.substring(0, 77) + "...";
        }
    }
}
