package io.midway.instance.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.api.InstanceException;
import io.midway.signing.JarSignatures;
import io.midway.signing.JarVerdict;
import io.midway.signing.SignerPolicy;

/**
 * The instance's signing policy for uploads (pid {@value #PID}): the file-sync repository and the
 * core repository ask it about every jar before they store it. A configuration that cannot be
 * used (signatures required with no valid signer) refuses every upload with that reason rather
 * than accept unsigned ones: it fails closed. A change applies to the next upload; files already
 * stored are kept.
 */
@Component(service = UploadSigning.class, configurationPid = UploadSigning.PID)
@Designate(ocd = SigningConfiguration.class)
public class UploadSigning {

    /** The configuration pid, {@code etc/io.midway.instance.signing.cfg}. */
    public static final String PID = "io.midway.instance.signing";

    private static final Logger LOG = LoggerFactory.getLogger(UploadSigning.class);

    private volatile SignerPolicy policy = SignerPolicy.OFF;
    /** Why the configuration cannot be used while signatures are required, or {@code null}. */
    private volatile String problem;

    /** Signatures not required: what an instance without this component's configuration does. */
    public UploadSigning() {
    }

    /** @param policy a fixed policy (tests) */
    public UploadSigning(SignerPolicy policy) {
        this.policy = policy;
    }

    @Activate
    @Modified
    void configure(SigningConfiguration config) {
        List<String> signers = new ArrayList<>();
        for (String s : config.signers()) {
            // etc/ gives one comma-separated text; the console gives one value a field
            signers.addAll(List.of(s.split("[,;\\s]+")));
        }
        try {
            policy = SignerPolicy.of(config.required(), signers);
            problem = null;
            LOG.info("Uploads: {}", policy.required() ? "plug-ins and cores must be signed by one of "
                    + policy.signers().size() + " allowed signer(s)" : "signatures are not required");
        } catch (IllegalArgumentException e) {
            if (config.required()) {
                problem = e.getMessage();
                LOG.error("The signing configuration ({}) cannot be used, so every upload is refused until it is fixed: {}",
                        PID, problem);
            } else {
                policy = SignerPolicy.OFF;
                problem = null;
                LOG.warn("The signing configuration ({}) has a wrong allowed signer; signatures are not required, so it "
                        + "does not matter yet: {}", PID, e.getMessage());
            }
        }
    }

    /** @return the policy in force (signatures not required while the configuration is unusable) */
    public SignerPolicy policy() {
        return policy;
    }

    /**
     * @param jar the uploaded jar, already accepted as a bundle
     * @param what what it is, for the message ("the plug-in", "the core")
     * @throws InstanceException 400 naming the reason, when the jar may not be stored
     */
    public void check(Path jar, String what) {
        String unusable = problem;
        if (unusable != null) {
            throw InstanceException.invalid(what + " is refused: signatures are required and the instance's signing "
                    + "configuration cannot be used: " + unusable, "fix " + PID + " (etc/" + PID + ".cfg or the Web Console's Configuration page)");
        }
        JarVerdict verdict = JarSignatures.check(jar, policy);
        if (!verdict.accepted()) {
            throw InstanceException.invalid(what + " is refused: " + verdict.reason(),
                    "signatures are required (" + PID + "): sign the jar with jarsigner, with a key whose certificate's "
                            + "SHA-256 fingerprint is an allowed signer");
        }
    }
}
