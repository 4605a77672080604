package io.midway.credential.vaultfile.internal;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.api.credential.CredentialException;
import io.midway.api.credential.CredentialRequest;
import io.midway.api.credential.CredentialResolver;
import io.midway.api.credential.CredentialType;
import io.midway.api.credential.MidwayCredentialResolver;

/**
 * The external credential resolver {@value #NAME}: a credential on the instance with
 * {@code "resolver": "vault-file"} and {@code "external_id": "db1"} gets its fields from the entry
 * {@code db1} of a JSON vault file on the agent,
 * {@code {"db1": {"user_name": "scott", "password": "..."}}}.
 *
 * <p>The file must be owner-only ({@code chmod 600}); it is checked before every use and read
 * again when it changes. Only the fields of the requested type are returned. Thread-safe; logs
 * ids and field names at most, never a value.
 */
@Component(service = CredentialResolver.class, configurationPid = VaultFileResolver.PID)
@MidwayCredentialResolver(VaultFileResolver.NAME)
@Designate(ocd = VaultFileResolver.Config.class)
public class VaultFileResolver implements CredentialResolver {

    /** The resolver's name: the {@code resolver} of the credentials it serves. */
    public static final String NAME = "vault-file";

    /** The configuration PID. */
    public static final String PID = "io.midway.credential.vaultfile";

    /** Framework property (from MIDWAY_DATA): the agent's data folder, as the agent core reads it. */
    public static final String DATA_PROPERTY = "midway.data";

    /** The data folder when {@value #DATA_PROPERTY} is not set, as in the agent core. */
    public static final String DEFAULT_DATA_DIR = "./data/agent";

    /** Stands for the data folder in the configured path. */
    public static final String DATA_PLACEHOLDER = "${" + DATA_PROPERTY + "}";

    /** The default vault file. */
    public static final String DEFAULT_PATH = DATA_PLACEHOLDER + "/vault.json";

    private static final Logger LOG = LoggerFactory.getLogger(VaultFileResolver.class);

    /** Configuration of the vault-file resolver. */
    @ObjectClassDefinition(name = "Midway vault-file credential resolver",
            description = "Resolves external credentials whose resolver is 'vault-file' from an owner-only JSON vault file.")
    public @interface Config {

        /** @return the vault file */
        @AttributeDefinition(name = "Vault file",
                description = "The JSON vault file, {\"<external_id>\": {\"user_name\": ..., \"password\": ...}}, owner-only "
                        + "(chmod 600). ${midway.data} stands for the agent's data folder; a relative path is resolved "
                        + "against it.")
        String path() default DEFAULT_PATH;
    }

    private final VaultFile vault;

    /**
     * Activated by DS.
     *
     * @param config the configuration
     * @param context for the framework property {@value #DATA_PROPERTY}
     */
    @Activate
    public VaultFileResolver(Config config, BundleContext context) {
        this(config, context.getProperty(DATA_PROPERTY));
    }

    /**
     * @param config the configuration
     * @param dataDir the agent's data folder ({@value #DATA_PROPERTY}), or {@code null} for
     *     {@value #DEFAULT_DATA_DIR}
     */
    VaultFileResolver(Config config, String dataDir) {
        this.vault = new VaultFile(vaultPath(config.path(), dataDir));
        LOG.info("Resolver '{}' reads the vault file {}", NAME, vault.path());
        try {
            vault.entries(); // reads it now, so that a problem shows in the log at once
        } catch (VaultFileException e) {
            LOG.warn("Resolver '{}' cannot use its vault file yet: {}", NAME, e.getMessage());
        }
    }

    /**
     * @param configured the configured path: {@value #DATA_PLACEHOLDER} stands for the data folder,
     *     a relative path is resolved against it, blank means {@value #DEFAULT_PATH}
     * @param dataDir the data folder, or {@code null} for {@value #DEFAULT_DATA_DIR}
     * @return the vault file, absolute
     */
    static Path vaultPath(String configured, String dataDir) {
        String data = dataDir == null || dataDir.isBlank() ? DEFAULT_DATA_DIR : dataDir.trim();
        String path = configured == null || configured.isBlank() ? DEFAULT_PATH : configured.trim();
        Path file;
        if (path.contains(DATA_PLACEHOLDER)) {
            file = Path.of(path.replace(DATA_PLACEHOLDER, data));
        } else {
            file = Path.of(path);
            if (!file.isAbsolute()) {
                file = Path.of(data).resolve(file);
            }
        }
        return file.toAbsolutePath().normalize();
    }

    /** @return the vault file this resolver reads */
    Path vaultFile() {
        return vault.path();
    }

    @Override
    public Map<String, String> resolve(CredentialRequest request) throws CredentialException {
        String id = request.credentialId();
        String credential = " (credential '" + request.credentialName() + "')";
        Map<String, JsonNode> entries;
        try {
            entries = vault.entries();
        } catch (VaultFileException e) {
            throw new CredentialException("credential '" + request.credentialName() + "': " + e.getMessage());
        }
        JsonNode entry = entries.get(id);
        if (entry == null) {
            throw new CredentialException("no entry '" + id + "' in vault file " + vault.path() + credential);
        }
        if (!entry.isObject()) {
            throw new CredentialException("entry '" + id + "' in vault file " + vault.path() + " is " + VaultFile.describe(entry)
                    + ", not a JSON object of fields such as {\"user_name\": \"...\", \"password\": \"...\"}" + credential);
        }
        CredentialType type = request.type();
        Map<String, String> fields = new LinkedHashMap<>();
        for (List<String> names : List.of(type.fields(), type.secretFields())) {
            for (String name : names) {
                JsonNode value = entry.get(name);
                if (value == null || value.isNull()) {
                    continue;
                }
                if (!value.isTextual()) {
                    throw new CredentialException("field '" + name + "' of entry '" + id + "' in vault file " + vault.path()
                            + " is " + VaultFile.describe(value) + ", not a string; write it in quotes" + credential);
                }
                fields.put(name, value.textValue());
            }
        }
        LOG.debug("Credential '{}' ({}): vault entry '{}' gave the fields {}", request.credentialName(), type.id(), id,
                fields.keySet());
        return Collections.unmodifiableMap(fields);
    }

    @Override
    public String toString() {
        return "VaultFileResolver[" + NAME + ", " + vault.path() + "]";
    }
}
