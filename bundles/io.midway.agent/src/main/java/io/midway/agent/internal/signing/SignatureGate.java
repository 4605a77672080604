package io.midway.agent.internal.signing;

import java.nio.file.Path;
import java.util.List;

import io.midway.signing.JarVerdict;

/** Whether a jar may be installed on this agent: the signing policy in force, asked before each install. */
public interface SignatureGate {

    /** Signatures not required: every jar may be installed. */
    SignatureGate OFF = new SignatureGate() {
        @Override
        public boolean required() {
            return false;
        }

        @Override
        public JarVerdict check(Path jar) {
            return new JarVerdict(true, "", List.of());
        }
    };

    /** @return whether jars must be signed (when not, {@link #check} accepts without reading) */
    boolean required();

    /**
     * @param jar the very file that will be installed
     * @return the verdict, with the reason when refused
     */
    JarVerdict check(Path jar);
}
