package io.midway.signing;

import java.nio.file.Path;
import java.util.List;

/**
 * A signing configuration as an operator writes it (etc/ gives the signers as one comma-separated
 * text, the Web Console as one value a field), made into a policy. A configuration that cannot be
 * used while signatures are required (no valid signer) refuses every jar with that reason: it
 * fails closed. A wrong signer while signatures are not required does not matter yet and is only
 * noted.
 *
 * @param policy the policy in force ({@link SignerPolicy#OFF} while the configuration cannot be used)
 * @param problem why the configuration cannot be used while signatures are required, or {@code null}
 * @param ignored a wrong signer, noted while signatures are not required, or {@code null}
 */
public record SigningSetting(SignerPolicy policy, String problem, String ignored) {

    /** Signatures not required. */
    public static final SigningSetting OFF = new SigningSetting(SignerPolicy.OFF, null, null);

    /**
     * @param required whether signatures are required
     * @param signers the allowed signers' fingerprints, each value possibly a comma-separated list
     * @return the setting
     */
    public static SigningSetting read(boolean required, String[] signers) {
        // one text for SignerPolicy's splitting, whether etc/ gave one list or the console several values
        String all = signers == null ? "" : String.join(",", java.util.Arrays.stream(signers)
                .filter(java.util.Objects::nonNull).toList());
        try {
            return new SigningSetting(SignerPolicy.of(required, all), null, null);
        } catch (IllegalArgumentException e) {
            return required ? new SigningSetting(SignerPolicy.OFF, e.getMessage(), null)
                    : new SigningSetting(SignerPolicy.OFF, null, e.getMessage());
        }
    }

    /** @return whether a jar must be checked: signatures required, or the configuration unusable */
    public boolean required() {
        return problem != null || policy.required();
    }

    /**
     * @param jar the very file that will be installed or stored
     * @return the verdict; when the configuration cannot be used, refused with that reason
     */
    public JarVerdict check(Path jar) {
        if (problem != null) {
            return JarVerdict.refused("signatures are required and the signing configuration cannot be used: " + problem,
                    List.of());
        }
        return JarSignatures.check(jar, policy);
    }
}
