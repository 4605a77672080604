package io.midway.signing;

import java.util.List;

/**
 * What {@link JarSignatures#check} found.
 *
 * @param accepted whether the jar may be installed under the policy
 * @param reason why it is refused, a sentence that names the jar's problem and what to do; empty when accepted
 * @param signers the jar's signers, each as {@code <subject> (SHA-256 <fingerprint>)}; empty when unsigned or not looked at
 */
public record JarVerdict(boolean accepted, String reason, List<String> signers) {

    static JarVerdict accepted(List<String> signers) {
        return new JarVerdict(true, "", List.copyOf(signers));
    }

    static JarVerdict refused(String reason, List<String> signers) {
        return new JarVerdict(false, reason, List.copyOf(signers));
    }
}
