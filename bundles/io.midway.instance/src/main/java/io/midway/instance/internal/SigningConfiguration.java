package io.midway.instance.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Which plug-in bundles and agent cores the instance accepts at upload (pid {@code io.midway.instance.signing}). */
@ObjectClassDefinition(
        name = "Midway signed bundles",
        description = "Whether a plug-in bundle (POST /api/mid/admin/files) or an agent core (POST /api/mid/admin/upgrade) "
                + "must be JAR-signed, every entry, by a signer on the allow-list; one that is not is refused with 400 "
                + "and the reason. Files stored before the change are kept. Each instance node reads its own.")
public @interface SigningConfiguration {

    /** @return whether uploads must be signed */
    @AttributeDefinition(name = "Require signatures",
            description = "Off by default. On: an unsigned jar, or one signed by a signer not on the list, is refused.")
    boolean required() default false;

    /** @return the allowed signers' certificate fingerprints */
    @AttributeDefinition(name = "Allowed signers (SHA-256 fingerprints)", required = false, cardinality = 100,
            description = "The SHA-256 fingerprint of each allowed signer's certificate, as keytool -printcert -jarfile "
                    + "signed.jar prints it (colons and case optional); in etc/ a comma-separated list.")
    String[] signers() default {};
}
