package io.midway.agent.internal.signing;

import java.nio.file.Path;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.signing.JarVerdict;
import io.midway.signing.SignerPolicy;
import io.midway.signing.SigningSetting;

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

    private volatile SigningSetting setting = SigningSetting.OFF;

    /** Signatures not required, until configured. */
    public AgentSigning() {
    }

    /** @param policy a fixed policy (tests) */
    public AgentSigning(SignerPolicy policy) {
        this.setting = new SigningSetting(policy, null, null);
    }

    /** @param config the configuration, from etc/ or the Web Console */
    @Activate
    @Modified
    public void configure(SigningConfiguration config) {
        SigningSetting read = SigningSetting.read(config.required(), config.signers());
        setting = read;
        if (read.problem() != null) {
            LOG.error("The signing configuration ({}) cannot be used, so every plug-in and core is refused until it is "
                    + "fixed: {}", SigningConfiguration.PID, read.problem());
        } else if (read.ignored() != null) {
            LOG.warn("The signing configuration ({}) has a wrong allowed signer; signatures are not required, so it does "
                    + "not matter yet: {}", SigningConfiguration.PID, read.ignored());
        } else if (read.policy().required()) {
            LOG.info("Plug-in bundles and cores must be signed by one of {} allowed signer(s)",
                    read.policy().signers().size());
        }
    }

    @Override
    public boolean required() {
        return setting.required();
    }

    @Override
    public JarVerdict check(Path jar) {
        return setting.check(jar);
    }
}
