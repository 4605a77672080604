package io.midway.agent.internal.signing;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Which plug-in bundles and cores the agent installs, pid {@value #PID} ({@code
 * etc/io.midway.agent.signing.cfg}, editable in the Web Console; local only: the instance cannot
 * set it). A change applies to the next install.
 */
@ObjectClassDefinition(
        name = "Midway signed bundles (agent)",
        description = "Whether a plug-in bundle (file sync, deploy/, installed from the Web Console or the shell) or a "
                + "new agent core must be JAR-signed, every entry, by a signer on the allow-list. One that is not is "
                + "refused with the reason, and the agent stays Up. The bundles shipped in the distribution's system/ "
                + "folder are not checked. Bundles installed before the change stay installed.")
public @interface SigningConfiguration {

    /** The configuration pid. */
    String PID = "io.midway.agent.signing";

    @AttributeDefinition(name = "Require signatures",
            description = "Off by default. On: an unsigned jar, or one signed by a signer not on the list, is refused.")
    boolean required() default false;

    @AttributeDefinition(name = "Allowed signers (SHA-256 fingerprints)", required = false, cardinality = 100,
            description = "The SHA-256 fingerprint of each allowed signer's certificate, as keytool -printcert -jarfile "
                    + "signed.jar prints it (colons and case optional); in etc/ a comma-separated list.")
    String[] signers() default {};
}
