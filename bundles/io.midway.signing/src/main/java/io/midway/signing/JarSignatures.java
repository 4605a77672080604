package io.midway.signing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Checks a jar's signatures with the JDK's own verification ({@link JarFile} opened to verify):
 * every entry, read to its end, must match its signature and be signed by a signer whose
 * certificate's SHA-256 fingerprint is on the policy's allow-list. The signature files themselves
 * ({@code META-INF/MANIFEST.MF}, {@code META-INF/*.SF}, {@code *.RSA}, {@code *.DSA}, {@code *.EC},
 * {@code SIG-*}) are what carries the signatures and are not entries to sign.
 * <p>
 * What is not checked: certificate chains to a root, validity dates and revocation. The allow-list
 * names the signing certificates themselves (pinning), as an operator who signs his own plug-ins
 * does; an expired signing certificate still identifies its signer.
 */
public final class JarSignatures {

    private JarSignatures() {
    }

    /**
     * @param jar the jar file that will be installed (check the very file, after it is in place)
     * @return the verdict: when the policy does not require signatures, accepted without opening the jar
     */
    public static JarVerdict check(Path jar, SignerPolicy policy) {
        if (!policy.required()) {
            return JarVerdict.accepted(List.of());
        }
        Map<String, String> signers = new LinkedHashMap<>();
        String unsigned = null;
        String notAllowed = null;
        int entries = 0;
        try (JarFile file = new JarFile(jar.toFile(), true)) {
            if (file.getManifest() == null) {
                return JarVerdict.refused("it has no manifest, so it cannot be signed", List.of());
            }
            byte[] buffer = new byte[8192];
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements();) {
                JarEntry entry = e.nextElement();
                if (entry.isDirectory() || isSignatureFile(entry.getName())) {
                    continue;
                }
                entries++;
                try (InputStream in = file.getInputStream(entry)) {
                    while (in.read(buffer) >= 0) {
                        // reading to the end makes the JDK compare the entry with its digest
                    }
                } catch (SecurityException changed) {
                    return JarVerdict.refused("its entry '" + shown(entry.getName())
                            + "' does not match its signature: the jar was changed after it was signed", described(signers));
                }
                CodeSigner[] codeSigners = entry.getCodeSigners();
                if (codeSigners == null || codeSigners.length == 0) {
                    unsigned = unsigned == null ? entry.getName() : unsigned;
                    continue;
                }
                boolean allowed = false;
                for (CodeSigner signer : codeSigners) {
                    List<? extends Certificate> chain = signer.getSignerCertPath().getCertificates();
                    if (!chain.isEmpty() && chain.get(0) instanceof X509Certificate certificate) {
                        String fingerprint = SignerPolicy.fingerprint(certificate);
                        signers.putIfAbsent(fingerprint, certificate.getSubjectX500Principal().getName());
                        allowed |= policy.allows(fingerprint);
                    }
                }
                if (!allowed && notAllowed == null) {
                    notAllowed = entry.getName();
                }
            }
        } catch (IOException | SecurityException e) {
            return JarVerdict.refused("it is not a jar whose signatures can be read (" + shown(String.valueOf(e.getMessage()))
                    + ")", described(signers));
        }
        List<String> described = described(signers);
        if (signers.isEmpty()) {
            return JarVerdict.refused(entries == 0 ? "it has no entries to sign"
                    : "it is not signed; signatures are required (sign it with jarsigner, with a key whose certificate's "
                            + "SHA-256 fingerprint is on the allow-list)", described);
        }
        if (unsigned != null) {
            return JarVerdict.refused("its entry '" + shown(unsigned) + "' is not signed (added after signing?); "
                    + "every entry must be signed", described);
        }
        if (notAllowed != null) {
            return JarVerdict.refused("it is signed by " + String.join(", ", described)
                    + ", not by a signer on the allow-list", described);
        }
        return JarVerdict.accepted(described);
    }

    private static List<String> described(Map<String, String> signers) {
        List<String> out = new ArrayList<>();
        signers.forEach((fingerprint, subject) -> out.add(shown(subject) + " (SHA-256 " + fingerprint + ")"));
        return out;
    }

    static boolean isSignatureFile(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        if (!upper.startsWith("META-INF/") || upper.indexOf('/', 9) >= 0) {
            return false;
        }
        String file = upper.substring(9);
        return file.equals("MANIFEST.MF") || file.startsWith("SIG-") || file.endsWith(".SF") || file.endsWith(".RSA")
                || file.endsWith(".DSA") || file.endsWith(".EC");
    }

    /** An entry name or message as shown in a reason: at most 200 characters, no control characters. */
    private static String shown(String text) {
        String t = text.replaceAll("\\p{Cntrl}", "?");
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }
}
