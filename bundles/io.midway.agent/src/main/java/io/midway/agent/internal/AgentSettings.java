package io.midway.agent.internal;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * The agent's effective settings: the configuration with the framework properties set from the
 * environment laid over it. The password is only ever read from {@value #PASSWORD_PROPERTY} and
 * never shown by {@link #toString()}.
 *
 * @param instanceUrl base URL of the instance, without a trailing slash
 * @param agentName the agent name
 * @param agentUser the user for HTTP Basic authentication
 * @param agentPassword the password, or {@code null} when none is set
 * @param threadsInteractive threads of the priority 0 pool
 * @param threadsExpedited threads of the priority 1 pool
 * @param threadsStandard threads of the priority 2 pool
 * @param queuePerThread work items a pool may hold queued per thread, beyond those running
 * @param pollWaitMs the long-poll wait
 * @param resultBatchSize most results per POST
 * @param spoolDir where results wait for delivery
 * @param instanceCertificate a PEM file of certificates to trust for an HTTPS instance, or
 *     {@code null} for the JDK's authorities only
 * @param syncDir where file sync keeps its state and jar cache ({@code <midway.data>/sync})
 * @param queuePerThread work items a pool may hold queued per thread
 * @param clientCertificate the agent's client certificate for mutual TLS, or {@code null}
 */
public record AgentSettings(
        String instanceUrl,
        String agentName,
        String agentUser,
        String agentPassword,
        int threadsInteractive,
        int threadsExpedited,
        int threadsStandard,
        long pollWaitMs,
        int resultBatchSize,
        Path spoolDir,
        Path instanceCertificate,
        Path syncDir,
        int queuePerThread,
        ClientCertificate clientCertificate) {

    /**
     * The agent's client certificate (MIDWAY_AGENT_KEYSTORE): the instance, trusting its issuer,
     * takes the agent to be the one named by its CN. The password is never shown.
     *
     * @param keystore a PKCS12 (or {@code .jks}) keystore with the key and certificate
     * @param password its password
     */
    public record ClientCertificate(Path keystore, String password) {
        @Override
        public String toString() {
            return keystore.toString();
        }
    }

    /** The settings without a client certificate. */
    public AgentSettings(String instanceUrl, String agentName, String agentUser, String agentPassword,
            int threadsInteractive, int threadsExpedited, int threadsStandard, long pollWaitMs, int resultBatchSize,
            Path spoolDir, Path instanceCertificate, Path syncDir, int queuePerThread) {
        this(instanceUrl, agentName, agentUser, agentPassword, threadsInteractive, threadsExpedited, threadsStandard,
                pollWaitMs, resultBatchSize, spoolDir, instanceCertificate, syncDir, queuePerThread, null);
    }

    /** Queued work per thread when the configuration says nothing. */
    public static final int DEFAULT_QUEUE_PER_THREAD = 4;

    /** The settings with {@value #DEFAULT_QUEUE_PER_THREAD} queued items per thread. */
    public AgentSettings(String instanceUrl, String agentName, String agentUser, String agentPassword,
            int threadsInteractive, int threadsExpedited, int threadsStandard, long pollWaitMs, int resultBatchSize,
            Path spoolDir, Path instanceCertificate, Path syncDir) {
        this(instanceUrl, agentName, agentUser, agentPassword, threadsInteractive, threadsExpedited, threadsStandard,
                pollWaitMs, resultBatchSize, spoolDir, instanceCertificate, syncDir, DEFAULT_QUEUE_PER_THREAD, null);
    }

    /** Framework property (from MIDWAY_INSTANCE_URL) that overrides {@code instance_url}. */
    public static final String INSTANCE_URL_PROPERTY = "midway.instance.url";
    /** Framework property (from MIDWAY_AGENT_NAME) that overrides {@code agent_name}. */
    public static final String AGENT_NAME_PROPERTY = "midway.agent.name";
    /** Framework property (from MIDWAY_AGENT_USER) that overrides {@code agent_user}. */
    public static final String AGENT_USER_PROPERTY = "midway.agent.user";
    /** Framework property (from MIDWAY_AGENT_PASSWORD): the only source of the password. */
    public static final String PASSWORD_PROPERTY = "midway.agent.password";
    /** Framework property (from MIDWAY_INSTANCE_CERT): a PEM file of certificates to trust for HTTPS. */
    public static final String INSTANCE_CERT_PROPERTY = "midway.instance.cert";
    /** Framework property (from MIDWAY_AGENT_KEYSTORE): the agent's client certificate for mutual TLS. */
    public static final String KEYSTORE_PROPERTY = "midway.agent.keystore";
    /** Framework property (from MIDWAY_AGENT_KEYSTORE_PASSWORD): its password, plain or {@code encrypted:}. */
    public static final String KEYSTORE_PASSWORD_PROPERTY = "midway.agent.keystore.password";
    /** The instance URL when nothing sets one: the instance of this machine, over HTTPS. */
    public static final String DEFAULT_INSTANCE_URL = "https://localhost:8443";
    /** Framework property (from MIDWAY_DATA): the agent's state directory. */
    public static final String DATA_PROPERTY = "midway.data";
    /** State directory when {@value #DATA_PROPERTY} is not set. */
    public static final String DEFAULT_DATA_DIR = "./data/agent";

    /**
     * Lays the framework properties over the configuration.
     *
     * @param config the configuration (defaults when there is none)
     * @param frameworkProperties looks up a framework property, {@code null} when absent
     * @param hostName the host name, the agent name when none is configured
     * @return the effective settings
     */
    public static AgentSettings from(AgentConfiguration config, UnaryOperator<String> frameworkProperties,
            String hostName) {
        return from(config, frameworkProperties, hostName, encrypted -> {
            throw new IllegalArgumentException("no credential store to decrypt it with");
        });
    }

    /** The prefix of a configuration value stored encrypted with the agent's key (mid:encrypt). */
    public static final String ENCRYPTED_PREFIX = "encrypted:";

    /**
     * Like {@link #from(AgentConfiguration, UnaryOperator, String)}, decrypting an
     * {@code encrypted:} password with the agent's key.
     *
     * @param config the configuration (defaults when there is none)
     * @param frameworkProperties looks up a framework property, {@code null} when absent
     * @param hostName the host name, the agent name when none is configured
     * @param decrypt turns an {@code encrypted:} value into the plain one; throws
     *     {@link IllegalArgumentException} when it cannot
     * @return the effective settings
     * @throws IllegalArgumentException when the password is encrypted and does not decrypt
     */
    public static AgentSettings from(AgentConfiguration config, UnaryOperator<String> frameworkProperties,
            String hostName, UnaryOperator<String> decrypt) {
        String url = firstSet(frameworkProperties.apply(INSTANCE_URL_PROPERTY), config.instance_url(),
                DEFAULT_INSTANCE_URL);
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        String name = firstSet(frameworkProperties.apply(AGENT_NAME_PROPERTY), config.agent_name(), hostName);
        String user = firstSet(frameworkProperties.apply(AGENT_USER_PROPERTY), config.agent_user(), "mid");
        String fromEnvironment = frameworkProperties.apply(PASSWORD_PROPERTY);
        boolean environment = fromEnvironment != null && !fromEnvironment.isEmpty();
        String password = environment ? fromEnvironment
                : config.agent_password() == null || config.agent_password().isBlank() ? null : config.agent_password().trim();
        if (password != null && password.startsWith(ENCRYPTED_PREFIX)) {
            try {
                password = decrypt.apply(password);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the agent password "
                        + (environment ? "in MIDWAY_AGENT_PASSWORD" : "(agent.password in etc/io.midway.agent.cfg)")
                        + " does not decrypt: " + e.getMessage() + "; make it again with mid:encrypt on this agent", e);
            }
        }
        Path data = Path.of(firstSet(frameworkProperties.apply(DATA_PROPERTY), null, DEFAULT_DATA_DIR));
        String spool = config.spool_dir() == null ? "" : config.spool_dir().trim();
        Path spoolDir = spool.isEmpty() ? data.resolve("spool") : data.resolve(spool);
        String cert = frameworkProperties.apply(INSTANCE_CERT_PROPERTY);
        Path certificate = cert == null || cert.isBlank() ? null : Path.of(cert.trim()).toAbsolutePath().normalize();
        String keystore = frameworkProperties.apply(KEYSTORE_PROPERTY);
        ClientCertificate client = null;
        if (keystore != null && !keystore.isBlank()) {
            String keystorePassword = frameworkProperties.apply(KEYSTORE_PASSWORD_PROPERTY);
            if (keystorePassword != null && keystorePassword.startsWith(ENCRYPTED_PREFIX)) {
                try {
                    keystorePassword = decrypt.apply(keystorePassword);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("MIDWAY_AGENT_KEYSTORE_PASSWORD does not decrypt: "
                            + e.getMessage() + "; make it again with mid:encrypt on this agent", e);
                }
            }
            client = new ClientCertificate(Path.of(keystore.trim()).toAbsolutePath().normalize(), keystorePassword);
        }
        return new AgentSettings(url, name, user, password,
                Math.max(1, config.threads_interactive()),
                Math.max(1, config.threads_expedited()),
                Math.max(1, config.threads_standard()),
                Math.max(0, config.poll_wait_ms()),
                Math.max(1, config.result_batch_size()),
                spoolDir.toAbsolutePath().normalize(),
                certificate,
                data.resolve("sync").toAbsolutePath().normalize(),
                Math.max(0, config.queue_per_thread()),
                client);
    }

    private static String firstSet(String override, String configured, String fallback) {
        if (override != null && !override.isBlank()) {
            return override.trim();
        }
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        return fallback;
    }

    /**
     * @param other other settings
     * @return whether both reach the same instance as the same agent with the same folders: then
     *     the difference (pools, poll wait, batch size) can apply to a running agent
     */
    public boolean sameConnection(AgentSettings other) {
        return java.util.Objects.equals(instanceUrl, other.instanceUrl) && java.util.Objects.equals(agentName, other.agentName)
                && java.util.Objects.equals(agentUser, other.agentUser)
                && java.util.Objects.equals(agentPassword, other.agentPassword)
                && java.util.Objects.equals(spoolDir, other.spoolDir)
                && java.util.Objects.equals(instanceCertificate, other.instanceCertificate)
                && java.util.Objects.equals(syncDir, other.syncDir)
                && java.util.Objects.equals(clientCertificate, other.clientCertificate);
    }

    /** @return the agent's state directory ({@code midway.data}), the parent of {@link #syncDir()} */
    public Path dataDir() {
        return syncDir.getParent();
    }

    /** @return the settings without the password */
    @Override
    public String toString() {
        return "AgentSettings[instanceUrl=" + instanceUrl + ", agentName=" + agentName + ", agentUser=" + agentUser
                + ", password " + (agentPassword == null ? "not set" : "set") + ", threads=" + threadsInteractive
                + "/" + threadsExpedited + "/" + threadsStandard + " (+" + queuePerThread + " queued each), pollWaitMs=" + pollWaitMs
                + ", resultBatchSize=" + resultBatchSize + ", spoolDir=" + spoolDir
                + (instanceCertificate == null ? "" : ", instanceCertificate=" + instanceCertificate)
                + (clientCertificate == null ? "" : ", clientCertificate=" + clientCertificate.keystore())
                + ", syncDir=" + syncDir + "]";
    }
}
