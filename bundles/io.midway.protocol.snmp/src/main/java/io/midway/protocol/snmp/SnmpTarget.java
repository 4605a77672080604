package io.midway.protocol.snmp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An SNMP agent and how to talk to it: address, version, community or SNMPv3 user, timeout and
 * retries. An immutable value made with {@link #v2c(String, String)} or {@link #v3(String, String)}.
 *
 * <p>For SNMPv3 the security level follows from what is set: no authentication →
 * {@code noAuthNoPriv}; authentication only → {@code authNoPriv}; authentication and privacy →
 * {@code authPriv} (privacy without authentication is refused).
 *
 * <p>The community and the keys are secrets: {@link #toString()} and every message show the
 * address, the version, the user name and the protocols, never a community or a key.
 */
@ProviderType
public final class SnmpTarget {

    /** The SNMP agent port when none is given. */
    public static final int DEFAULT_PORT = 161;

    /** Default {@link #timeout()}: 5 seconds per try. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Default {@link #retries()}: one resend. */
    public static final int DEFAULT_RETRIES = 1;

    /** The most {@link #retries()} accepted. */
    public static final int MAX_RETRIES = 10;

    /** The shortest SNMPv3 pass phrase (RFC 3414 §11.2). */
    public static final int MIN_KEY_LENGTH = 8;

    private final String host;
    private final int port;
    private final SnmpVersion version;
    private final String community;
    private final String userName;
    private final SnmpAuthProtocol authProtocol;
    private final String authKey;
    private final SnmpPrivacyProtocol privacyProtocol;
    private final String privacyKey;
    private final Duration timeout;
    private final int retries;

    private SnmpTarget(Builder builder) {
        this.host = builder.host;
        this.port = builder.port;
        this.version = builder.version;
        this.community = builder.community;
        this.userName = builder.userName;
        this.authProtocol = builder.authProtocol;
        this.authKey = builder.authKey;
        this.privacyProtocol = builder.privacyProtocol;
        this.privacyKey = builder.privacyKey;
        this.timeout = builder.timeout;
        this.retries = builder.retries;
    }

    /**
     * Starts an SNMPv2c target.
     *
     * @param host the agent's host name or IP address
     * @param community the community string (a secret)
     * @return a builder
     */
    public static Builder v2c(String host, String community) {
        Builder builder = new Builder(host, SnmpVersion.V2C);
        builder.community = Objects.requireNonNull(community, "community");
        return builder;
    }

    /**
     * Starts an SNMPv3 target, at first {@code noAuthNoPriv}.
     *
     * @param host the agent's host name or IP address
     * @param userName the USM user name
     * @return a builder
     */
    public static Builder v3(String host, String userName) {
        Builder builder = new Builder(host, SnmpVersion.V3);
        builder.userName = Objects.requireNonNull(userName, "userName");
        return builder;
    }

    /** @return the agent's host name or IP address */
    public String host() {
        return host;
    }

    /** @return the agent's UDP port */
    public int port() {
        return port;
    }

    /** @return {@code host:port} ({@code [v6]:port} for an IPv6 address); safe to show */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** @return the SNMP version */
    public SnmpVersion version() {
        return version;
    }

    /** @return the community (a secret: never log or show it), empty for SNMPv3 */
    public Optional<String> community() {
        return Optional.ofNullable(community);
    }

    /** @return the SNMPv3 user name, empty for SNMPv2c */
    public Optional<String> userName() {
        return Optional.ofNullable(userName);
    }

    /** @return the SNMPv3 authentication protocol, empty when none */
    public Optional<SnmpAuthProtocol> authProtocol() {
        return Optional.ofNullable(authProtocol);
    }

    /** @return the SNMPv3 authentication pass phrase (a secret), empty when none */
    public Optional<String> authKey() {
        return Optional.ofNullable(authKey);
    }

    /** @return the SNMPv3 privacy protocol, empty when none */
    public Optional<SnmpPrivacyProtocol> privacyProtocol() {
        return Optional.ofNullable(privacyProtocol);
    }

    /** @return the SNMPv3 privacy pass phrase (a secret), empty when none */
    public Optional<String> privacyKey() {
        return Optional.ofNullable(privacyKey);
    }

    /** @return the SNMPv3 security level derived from what is set; {@code noAuthNoPriv} for v2c */
    public SnmpSecurityLevel securityLevel() {
        if (authProtocol == null) {
            return SnmpSecurityLevel.NO_AUTH_NO_PRIV;
        }
        return privacyProtocol == null ? SnmpSecurityLevel.AUTH_NO_PRIV : SnmpSecurityLevel.AUTH_PRIV;
    }

    /** @return how long to wait for each answer before resending */
    public Duration timeout() {
        return timeout;
    }

    /** @return how many times a request is resent after a timeout */
    public int retries() {
        return retries;
    }

    /**
     * @return what security is used, without secrets: {@code SNMP v2c} or {@code SNMP v3, user
     *     'monitor', authPriv SHA-256/AES}
     */
    public String security() {
        if (version == SnmpVersion.V2C) {
            return "SNMP v2c";
        }
        StringBuilder text = new StringBuilder("SNMP v3, user '").append(userName).append("', ").append(securityLevel().label());
        if (authProtocol != null) {
            text.append(' ').append(authProtocol.label());
            if (privacyProtocol != null) {
                text.append('/').append(privacyProtocol.label());
            }
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return "SnmpTarget[" + address() + ", " + security() + ", timeout " + timeout.toMillis() + " ms, " + retries + " retries]";
    }

    /** Builds an {@link SnmpTarget}. Not thread-safe. */
    public static final class Builder {

        private final String host;
        private final SnmpVersion version;
        private int port = DEFAULT_PORT;
        private String community;
        private String userName;
        private SnmpAuthProtocol authProtocol;
        private String authKey;
        private SnmpPrivacyProtocol privacyProtocol;
        private String privacyKey;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int retries = DEFAULT_RETRIES;

        private Builder(String host, SnmpVersion version) {
            this.host = Objects.requireNonNull(host, "host").trim();
            this.version = version;
        }

        /**
         * @param port the agent's UDP port, 1 to 65535 (default {@value SnmpTarget#DEFAULT_PORT})
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * SNMPv3 authentication.
         *
         * @param protocol the protocol
         * @param key the pass phrase, at least {@value SnmpTarget#MIN_KEY_LENGTH} characters (a secret)
         * @return this builder
         */
        public Builder authentication(SnmpAuthProtocol protocol, String key) {
            this.authProtocol = Objects.requireNonNull(protocol, "protocol");
            this.authKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /**
         * SNMPv3 privacy; needs {@link #authentication(SnmpAuthProtocol, String) authentication}.
         *
         * @param protocol the protocol
         * @param key the pass phrase, at least {@value SnmpTarget#MIN_KEY_LENGTH} characters (a secret)
         * @return this builder
         */
        public Builder privacy(SnmpPrivacyProtocol protocol, String key) {
            this.privacyProtocol = Objects.requireNonNull(protocol, "protocol");
            this.privacyKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /**
         * @param timeout how long to wait for each answer before resending, positive (default 5 s)
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * @param retries how many times to resend a request that got no answer, 0 to
         *     {@value SnmpTarget#MAX_RETRIES} (default {@value SnmpTarget#DEFAULT_RETRIES})
         * @return this builder
         */
        public Builder retries(int retries) {
            this.retries = retries;
            return this;
        }

        /**
         * @return the target
         * @throws IllegalArgumentException when something is missing or out of range; the message
         *     never holds a community or a key
         */
        public SnmpTarget build() {
            if (host.isEmpty()) {
                throw new IllegalArgumentException("the SNMP agent's host is empty");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("the SNMP port must be from 1 to 65535, not " + port);
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("the SNMP timeout must be positive, not " + timeout);
            }
            if (retries < 0 || retries > MAX_RETRIES) {
                throw new IllegalArgumentException("SNMP retries must be from 0 to " + MAX_RETRIES + ", not " + retries);
            }
            if (version == SnmpVersion.V2C) {
                if (community.isEmpty()) {
                    throw new IllegalArgumentException("the SNMP community is empty");
                }
                return new SnmpTarget(this);
            }
            int nameBytes = userName.getBytes(StandardCharsets.UTF_8).length;
            if (userName.isBlank() || nameBytes > 32) {
                throw new IllegalArgumentException("the SNMPv3 user name must have 1 to 32 bytes, not " + nameBytes);
            }
            if (privacyProtocol != null && authProtocol == null) {
                throw new IllegalArgumentException("SNMPv3 privacy needs authentication: user '" + userName
                        + "' has a privacy protocol but no authentication protocol");
            }
            if (authKey != null && authKey.length() < MIN_KEY_LENGTH) {
                throw new IllegalArgumentException("the SNMPv3 authentication key of user '" + userName + "' is shorter than "
                        + MIN_KEY_LENGTH + " characters (RFC 3414 requires at least " + MIN_KEY_LENGTH + ")");
            }
            if (privacyKey != null && privacyKey.length() < MIN_KEY_LENGTH) {
                throw new IllegalArgumentException("the SNMPv3 privacy key of user '" + userName + "' is shorter than "
                        + MIN_KEY_LENGTH + " characters (RFC 3414 requires at least " + MIN_KEY_LENGTH + ")");
            }
            return new SnmpTarget(this);
        }
    }
}
