package io.midway.agent.internal.config;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;

import io.midway.agent.internal.AgentSettings;
import io.midway.api.agent.SettingDTO;

/**
 * Every agent setting as it is in effect and where its value came from: the environment (through
 * the framework property the launcher sets from it), a file in {@code etc/} (FileInstall),
 * Config Admin edited another way (the Web Console), or the default. Pure: it reads only what it
 * is given and the configuration file FileInstall names.
 */
public final class EffectiveConfiguration {

    /** The property FileInstall adds to a configuration it made from a file: the file's URL. */
    public static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";
    /** The agent's configuration file in {@code etc/}. */
    public static final String PID_FILE = "io.midway.agent.cfg";
    /** Origin of a value set through Config Admin and not in the file. */
    public static final String CONSOLE_ORIGIN = "Config Admin (Web Console Configuration page)";

    private final Map<String, Object> config;
    private final UnaryOperator<String> framework;
    private final UnaryOperator<String> environment;
    private final Path home;
    private final Properties file;
    private final String fileName;
    private Map<String, CentralSettings.Value> fromInstance = Map.of();

    /**
     * @param config the component's configuration properties (empty when there is no configuration)
     * @param framework looks up a framework property, {@code null} when absent
     * @param environment looks up an environment variable, {@code null} when absent
     * @param home the distribution folder, to show file names relative to it; may be {@code null}
     */
    public EffectiveConfiguration(Map<String, Object> config, UnaryOperator<String> framework,
            UnaryOperator<String> environment, Path home) {
        this.config = config;
        this.framework = framework;
        this.environment = environment;
        this.home = home;
        Object url = config.get(FILEINSTALL_FILENAME);
        Path path = url == null ? null : toPath(url.toString());
        if (path == null && home != null) {
            // A save on the Web Console's Configuration page drops FileInstall's property; the file
            // still applies (FileInstall writes it over the configuration when it changes).
            Path file = home.resolve("etc").resolve(PID_FILE);
            path = Files.isRegularFile(file) ? file : null;
        }
        this.file = path == null ? null : load(path);
        this.fileName = path == null ? null : display(path);
    }

    /**
     * @param values the values the configuration holds from the instance (laid over it by
     *     {@link CentralConfigurationPlugin}), by name
     * @return this
     */
    public EffectiveConfiguration fromInstance(Map<String, CentralSettings.Value> values) {
        this.fromInstance = values;
        return this;
    }

    /**
     * @param source a source of the instance ({@code parameter}, {@code agent_property},
     *     {@code global_property}) or of the agent
     * @param pid the pid of the setting
     * @param revision the revision of the instance's settings
     * @return where the value comes from, for people; {@code null} for a default
     */
    public static String origin(String source, String pid, String revision) {
        String at = revision == null || revision.isEmpty() ? "" : ", revision " + revision;
        return switch (source) {
            case SettingDTO.SOURCE_PARAMETER -> "instance: configuration parameter (ecc_agent_config" + at + ")";
            case SettingDTO.SOURCE_AGENT_PROPERTY -> "instance: property for this agent (ecc_agent_property" + at + ")";
            case SettingDTO.SOURCE_GLOBAL_PROPERTY -> "instance: property for all agents (ecc_agent_property" + at + ")";
            case SettingDTO.SOURCE_FILE -> "etc/" + pid + ".cfg";
            case SettingDTO.SOURCE_CONSOLE -> CONSOLE_ORIGIN;
            default -> null;
        };
    }

    /**
     * @param settings the settings in effect (made from the same configuration and framework)
     * @return every setting with its value and source, in a stable order
     */
    public SettingDTO[] describe(AgentSettings settings) {
        List<SettingDTO> out = new ArrayList<>();
        out.add(overridable("instance.url", "Instance URL", "MIDWAY_INSTANCE_URL", AgentSettings.INSTANCE_URL_PROPERTY,
                settings.instanceUrl()));
        out.add(overridable("agent.name", "Agent name", "MIDWAY_AGENT_NAME", AgentSettings.AGENT_NAME_PROPERTY,
                settings.agentName()));
        out.add(overridable("agent.user", "Agent user", "MIDWAY_AGENT_USER", AgentSettings.AGENT_USER_PROPERTY,
                settings.agentUser()));
        out.add(password(settings));
        out.add(certificate(settings));
        SettingDTO keystore = frameworkOnly(AgentSettings.KEYSTORE_PROPERTY, "Client certificate (mutual TLS)",
                "MIDWAY_AGENT_KEYSTORE", settings.clientCertificate() == null ? "none"
                        : settings.clientCertificate().keystore().toString());
        out.add(keystore);
        out.add(frameworkOnly(AgentSettings.DATA_PROPERTY, "Data folder", "MIDWAY_DATA", settings.dataDir().toString()));
        out.add(configured("threads.interactive", "Interactive threads", Integer.toString(settings.threadsInteractive())));
        out.add(configured("threads.expedited", "Expedited threads", Integer.toString(settings.threadsExpedited())));
        out.add(configured("threads.standard", "Standard threads", Integer.toString(settings.threadsStandard())));
        out.add(configured("queue.per.thread", "Queued work per thread", Integer.toString(settings.queuePerThread())));
        out.add(configured("poll.wait.ms", "Poll wait (ms)", Long.toString(settings.pollWaitMs())));
        out.add(configured("result.batch.size", "Result batch size", Integer.toString(settings.resultBatchSize())));
        out.add(configured("spool.dir", "Spool directory", settings.spoolDir().toString()));
        return out.toArray(SettingDTO[]::new);
    }

    /** A setting of the configuration that an environment variable overrides. */
    private SettingDTO overridable(String key, String label, String variable, String property, String value) {
        SettingDTO s = setting(key, label, value);
        if (fromFramework(s, variable, property)) {
            String configured = configuredValue(key);
            s.overridden = configured;
        } else {
            fromConfiguration(s);
        }
        return s;
    }

    /** A setting only the environment (or a framework property) sets. */
    private SettingDTO frameworkOnly(String key, String label, String variable, String value) {
        SettingDTO s = setting(key, label, value);
        if (!fromFramework(s, variable, key)) {
            s.source = SettingDTO.SOURCE_DEFAULT;
        }
        return s;
    }

    /**
     * The certificate trusted for the instance: MIDWAY_INSTANCE_CERT, else (the launcher's default)
     * the one this distribution's instance generates, which may not exist yet.
     */
    private SettingDTO certificate(AgentSettings settings) {
        Path pem = settings.instanceCertificate();
        SettingDTO s = frameworkOnly(AgentSettings.INSTANCE_CERT_PROPERTY, "Instance certificate (PEM)",
                "MIDWAY_INSTANCE_CERT", pem == null ? "none (the JDK's authorities)"
                        : pem + (Files.isRegularFile(pem) ? "" : " (not there yet: trusted once it is)"));
        if (pem != null && !set(environment.apply("MIDWAY_INSTANCE_CERT"))) {
            s.source = SettingDTO.SOURCE_DEFAULT;
            s.origin = null;
        }
        return s;
    }

    /** A setting of the configuration alone. */
    private SettingDTO configured(String key, String label, String value) {
        SettingDTO s = setting(key, label, value);
        fromConfiguration(s);
        return s;
    }

    private SettingDTO password(AgentSettings settings) {
        SettingDTO s = setting("agent.password", "Agent password", settings.agentPassword() == null ? "not set" : "set");
        s.secret = true;
        String configured = configuredValue(s.key);
        if (set(framework.apply(AgentSettings.PASSWORD_PROPERTY))) {
            if (set(environment.apply("MIDWAY_AGENT_PASSWORD"))) {
                s.source = SettingDTO.SOURCE_ENVIRONMENT;
                s.origin = "MIDWAY_AGENT_PASSWORD";
            } else {
                // The launcher reads <data>/agent.password when the variable is not set.
                Path stored = settings.dataDir().resolve("agent.password");
                s.source = Files.isRegularFile(stored) ? SettingDTO.SOURCE_FILE : SettingDTO.SOURCE_FRAMEWORK;
                s.origin = Files.isRegularFile(stored) ? display(stored) : AgentSettings.PASSWORD_PROPERTY;
            }
            s.overridden = configured == null ? null : "set";
        } else {
            fromConfiguration(s);
            if (configured != null && configured.startsWith(AgentSettings.ENCRYPTED_PREFIX)) {
                s.value = "set (encrypted)";
            }
        }
        return s;
    }

    private static SettingDTO setting(String key, String label, String value) {
        SettingDTO s = new SettingDTO();
        s.key = key;
        s.label = label;
        s.value = value;
        return s;
    }

    /** @return whether the framework property sets it; fills in source and origin if so */
    private boolean fromFramework(SettingDTO s, String variable, String property) {
        if (!set(framework.apply(property))) {
            return false;
        }
        if (set(environment.apply(variable))) {
            s.source = SettingDTO.SOURCE_ENVIRONMENT;
            s.origin = variable;
        } else {
            s.source = SettingDTO.SOURCE_FRAMEWORK;
            s.origin = property;
        }
        return true;
    }

    /** Fills in source and origin from the configuration: the file, the console, or the default. */
    private void fromConfiguration(SettingDTO s) {
        String configured = configuredValue(s.key);
        if (configured == null) {
            s.source = SettingDTO.SOURCE_DEFAULT;
            return;
        }
        String inFile = file == null ? null : file.getProperty(s.key);
        CentralSettings.Value central = fromInstance.get(s.key);
        if (central != null && central.value().equals(configured)) {
            s.source = central.source();
            s.origin = origin(central.source(), null, null);
            if (inFile != null && !inFile.trim().equals(configured)) {
                s.overridden = inFile.trim();
            }
            return;
        }
        if (inFile != null && inFile.trim().equals(configured)) {
            s.source = SettingDTO.SOURCE_FILE;
            s.origin = fileName;
        } else {
            s.source = SettingDTO.SOURCE_CONSOLE;
            s.origin = CONSOLE_ORIGIN;
        }
    }

    /** @return the configuration's non-blank value for the key, trimmed, or {@code null} */
    private String configuredValue(String key) {
        Object value = config.get(key);
        if (value == null) {
            return null;
        }
        String text = value.toString().trim();
        return text.isEmpty() ? null : text;
    }

    private static boolean set(String value) {
        return value != null && !value.isBlank();
    }

    private String display(Path path) {
        Path normalized = path.toAbsolutePath().normalize();
        if (home != null) {
            Path base = home.toAbsolutePath().normalize();
            if (normalized.startsWith(base)) {
                return base.relativize(normalized).toString();
            }
        }
        return normalized.toString();
    }

    private static Path toPath(String url) {
        try {
            return url.startsWith("file:") ? Path.of(URI.create(url)) : Path.of(url);
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
    }

    private static Properties load(Path path) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            return null;
        }
        return p;
    }
}
