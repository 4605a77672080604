package io.midway.instance.internal;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Secret values of the instance's own configuration (e.g. {@code MIDWAY_DB_PASSWORD}) in the
 * form {@code encrypted:<text>}, sealed with the instance's credential master key
 * ({@code <data>/credentials.key}), so a service file or a shell history need not hold them in
 * clear. {@code instance:encrypt} makes them.
 */
public final class ConfigurationSecrets {

    /** What marks an encrypted value. */
    public static final String PREFIX = "encrypted:";
    private static final String CONTEXT = "instance-configuration";
    private static final String FIELD = "value";

    private ConfigurationSecrets() {
    }

    /**
     * @param keyFile the master key file
     * @param value a value
     * @return {@code encrypted:<text>}, which only this key opens
     * @throws IllegalStateException when the key file cannot be read
     */
    public static String encrypt(Path keyFile, String value) {
        return PREFIX + CredentialCipher.open(keyFile, false).encrypt(CONTEXT, FIELD, value);
    }

    /**
     * @param keyFile the master key file
     * @param variable where the value came from, for the message (e.g. {@code MIDWAY_DB_PASSWORD})
     * @param value the value as given: plain, or {@code encrypted:<text>}
     * @return the plain value
     * @throws IllegalArgumentException when an encrypted value does not open with the key, saying
     *     why and what to do (never the value)
     */
    public static String reveal(Path keyFile, String variable, String value) {
        if (value == null || !value.startsWith(PREFIX)) {
            return value;
        }
        if (!Files.isRegularFile(keyFile)) {
            throw new IllegalArgumentException(variable + " is encrypted, but the master key " + keyFile
                    + " is not there: the value was made by another instance's instance:encrypt, or the key is lost");
        }
        try {
            return CredentialCipher.open(keyFile, false).decrypt(CONTEXT, FIELD, value.substring(PREFIX.length()));
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(variable + " does not decrypt with the master key " + keyFile
                    + " (made by another instance, or damaged): make it again with instance:encrypt on this instance", e);
        }
    }
}
