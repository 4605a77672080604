package io.midway.instance.api;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Whether the instance takes only signed plug-ins and cores, and from whom (pid
 * {@code io.midway.instance.signing}), as the consoles show it.
 */
@ProviderType
public interface UploadSignatures {

    /** @return whether an upload must be signed by an allowed signer (or is refused because the configuration cannot be used) */
    boolean required();

    /** @return the allowed signers' SHA-256 certificate fingerprints, {@code AB:CD:…} */
    List<String> allowedSigners();

    /** @return why the configuration cannot be used while signatures are required (every upload is refused), or empty */
    String problem();
}
