package io.midway.instance.internal;

import java.nio.file.Path;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.api.InstanceException;
import io.midway.instance.api.UploadSignatures;
import io.midway.signing.JarVerdict;
import io.midway.signing.SignerPolicy;
import io.midway.signing.SigningSetting;

/**
 * The instance's signing policy for uploads (pid {@value #PID}): the file-sync repository and the
 * core repository ask it about every jar before they store it. A configuration that cannot be
 * used (signatures required with no valid signer) refuses every upload with that reason rather
 * than accept unsigned ones: it fails closed. A change applies to the next upload; files already
 * stored are kept.
 */
@Component(service = {UploadSigning.class, UploadSignatures.class}, configurationPid = UploadSigning.PID)
@Designate(ocd = SigningConfiguration.class)
public class UploadSigning implements UploadSignatures {

    /** The configuration pid, {@code etc/io.midway.instance.signing.cfg}. */
    public static final String PID = "io.midway.instance.signing";

    private static final Logger LOG = LoggerFactory.getLogger(UploadSigning.class);

    private volatile SigningSetting setting = SigningSetting.OFF;

    /** Signatures not required: what an instance without this component's configuration does. */
    public UploadSigning() {
    }

    /** @param policy a fixed policy (tests) */
    public UploadSigning(SignerPolicy policy) {
        this.setting = new SigningSetting(policy, null, null);
    }

    /** @param config the configuration, from etc/ or the Web Console */
    @Activate
    @Modified
    public void configure(SigningConfiguration config) {
        SigningSetting read = SigningSetting.read(config.required(), config.signers());
        setting = read;
        if (read.problem() != null) {
            LOG.error("The signing configuration ({}) cannot be used, so every upload is refused until it is fixed: {}",
                    PID, read.problem());
        } else if (read.ignored() != null) {
            LOG.warn("The signing configuration ({}) has a wrong allowed signer; signatures are not required, so it does "
                    + "not matter yet: {}", PID, read.ignored());
        } else {
            LOG.info("Uploads: {}", read.policy().required() ? "plug-ins and cores must be signed by one of "
                    + read.policy().signers().size() + " allowed signer(s)" : "signatures are not required");
        }
    }

    @Override
    public boolean required() {
        return setting.required();
    }

    @Override
    public List<String> allowedSigners() {
        return List.copyOf(setting.policy().signers());
    }

    @Override
    public String problem() {
        String p = setting.problem();
        return p == null ? "" : p;
    }

    /**
     * @param jar the uploaded jar, already accepted as a bundle
     * @param what what it is, for the message ("the plug-in", "the core")
     * @throws InstanceException 400 naming the reason, when the jar may not be stored
     */
    public void check(Path jar, String what) {
        SigningSetting current = setting;
        JarVerdict verdict = current.check(jar);
        if (verdict.accepted()) {
            return;
        }
        if (current.problem() != null) {
            throw InstanceException.invalid(what + " is refused: " + verdict.reason(),
                    "fix " + PID + " (etc/" + PID + ".cfg or the Web Console's Configuration page)");
        }
        throw InstanceException.invalid(what + " is refused: " + verdict.reason(),
                "signatures are required (" + PID + "): sign the jar with jarsigner, with a key whose certificate's "
                        + "SHA-256 fingerprint is an allowed signer");
    }
}
