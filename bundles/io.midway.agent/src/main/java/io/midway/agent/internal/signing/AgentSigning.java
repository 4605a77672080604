package io.midway.agent.internal.signing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.signing.JarSignatures;
import io.midway.signing.JarVerdict;
import io.midway.signing.SignerPolicy;

/**
 * The agent's signing policy (pid {@value SigningConfiguration#PID}), asked by file sync, the
 * deploy folder and the core upgrade before they install a jar, and by {@link ConsoleInstallGuard}
 * after a bundle came in any other way. A configuration that cannot be used while signatures are
 * required (no valid signer) refuses every jar with that reason: it fails closed.
 */
@Component(service = {AgentSigning.class}, configurationPid = SigningConfiguration.PID)
@Designate(ocd = SigningConfiguration.class)
public class AgentSigning implements SignatureGate {

    private static final Logger LOG = LoggerFactory.getLogger(AgentSigning.class);

    private volatile SignerPolicy policy = SignerPolicy.OFF;
    /** Why the configuration cannot be used while signatures are required, or {@code null}. */
    private volatile String problem;

    /** Signatures not required, until configured. */
    public AgentSigning() {
    }

    /** @param policy a fixed policy (tests) */
    public AgentSigning(SignerPolicy policy) {
        this.policy = policy;
    }

    /** @param config the configuration, from etc/ or the Web Console */
    @Activate
    @Modified
    public void configure(SigningConfiguration config) {
        List<String> signers = new ArrayList<>();
        for (String s : config.signers()) {
            // etc/ gives one comma-separated text; the Web Console one value a field
            signers.addAll(List.of(s.split("[,;\\s]+")));
        }
        try {
            policy = SignerPolicy.of(config.required(), signers);
            problem = null;
            if (policy.required()) {
                LOG.info("Plug-in bundles and cores must be signed by one of {} allowed signer(s)", policy.signers().size());
            }
        } catch (IllegalArgumentException e) {
            if (config.required()) {
                problem = e.getMessage();
                LOG.error("The signing configuration ({}) cannot be used, so every plug-in and core is refused until it "
                        + "is fixed: {}", SigningConfiguration.PID, problem);
            } else {
                policy = SignerPolicy.OFF;
                problem = null;
                LOG.warn("The signing configuration ({}) has a wrong allowed signer; signatures are not required, so it "
                        + "does not matter yet: {}", SigningConfiguration.PID, e.getMessage());
            }
        }
    }

    @Override
    public boolean required() {
        return problem != null || policy.required();
    }

    @Override
    public JarVerdict check(Path jar) {
        String unusable = problem;
        if (unusable != null) {
            return new JarVerdict(false, "signatures are required and the signing configuration ("
                    + SigningConfiguration.PID + ") cannot be used: " + unusable, List.of());
        }
        return JarSignatures.check(jar, policy);
    }
}
