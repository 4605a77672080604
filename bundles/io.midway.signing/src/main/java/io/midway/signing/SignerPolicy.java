package io.midway.signing;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether plug-in bundles and agent cores must be JAR-signed, and by whom: the SHA-256
 * fingerprints of the allowed signers' certificates (what {@code keytool -list -v} and
 * {@code keytool -printcert} print as "SHA256:"). Off, anything is accepted; on, a jar is accepted
 * only when every entry is signed by a signer on the list and matches its signature
 * ({@link JarSignatures#check(Path, SignerPolicy)}).
 */
public final class SignerPolicy {

    /** No signature required (the default). */
    public static final SignerPolicy OFF = new SignerPolicy(false, Set.of());

    private final boolean required;
    private final Set<String> signers;

    private SignerPolicy(boolean required, Set<String> signers) {
        this.required = required;
        this.signers = signers;
    }

    /**
     * @param required whether jars must be signed
     * @param fingerprints SHA-256 certificate fingerprints, 64 hexadecimal digits each, with or
     *            without colons, in either case; blank ones are skipped
     * @throws IllegalArgumentException naming a fingerprint that is not one, or when signatures
     *             are required and the list is empty (nothing could ever be accepted)
     */
    public static SignerPolicy of(boolean required, Collection<String> fingerprints) {
        Set<String> set = new LinkedHashSet<>();
        for (String f : fingerprints) {
            if (f != null && !f.isBlank()) {
                set.add(normalize(f));
            }
        }
        if (required && set.isEmpty()) {
            throw new IllegalArgumentException("signatures are required but no signer is allowed: give the SHA-256 "
                    + "fingerprint of at least one signer's certificate (keytool -printcert -jarfile signed.jar)");
        }
        return new SignerPolicy(required, Collections.unmodifiableSet(set));
    }

    /** {@link #of(boolean, Collection)} with the fingerprints in one text, separated by commas or white space. */
    public static SignerPolicy of(boolean required, String fingerprints) {
        List<String> list = new ArrayList<>();
        if (fingerprints != null) {
            for (String f : fingerprints.split("[,;\\s]+")) {
                list.add(f);
            }
        }
        return of(required, list);
    }

    /** @return whether jars must be signed by an allowed signer */
    public boolean required() {
        return required;
    }

    /** @return the allowed signers' fingerprints, normalized ({@code AB:CD:…}, upper case) */
    public Set<String> signers() {
        return signers;
    }

    /** @return whether a certificate with this (normalized) fingerprint is allowed */
    public boolean allows(String fingerprint) {
        return signers.contains(fingerprint);
    }

    /**
     * @return the fingerprint as {@code keytool} prints it: 32 upper-case hexadecimal pairs separated by colons
     * @throws IllegalArgumentException when it is not 64 hexadecimal digits (colons and spaces aside)
     */
    public static String normalize(String fingerprint) {
        String hex = fingerprint.replace(":", "").replace(" ", "").strip();
        if (hex.regionMatches(true, 0, "SHA256", 0, 6)) {
            hex = hex.substring(6);
        }
        if (!hex.matches("[0-9A-Fa-f]{64}")) {
            String shown = fingerprint.length() > 120 ? fingerprint.substring(0, 120) + "…" : fingerprint;
            throw new IllegalArgumentException("not a SHA-256 certificate fingerprint (64 hexadecimal digits, colons "
                    + "allowed): '" + shown.replaceAll("\\p{Cntrl}", "?") + "'");
        }
        return colons(HexFormat.of().withUpperCase().parseHex(hex));
    }

    /** @return the SHA-256 fingerprint of a certificate, normalized */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return colons(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot take the fingerprint of " + certificate.getSubjectX500Principal(), e);
        }
    }

    private static String colons(byte[] digest) {
        StringBuilder b = new StringBuilder(digest.length * 3);
        String hex = HexFormat.of().withUpperCase().formatHex(digest);
        for (int i = 0; i < hex.length(); i += 2) {
            if (i > 0) {
                b.append(':');
            }
            b.append(hex, i, i + 2);
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return required ? "signed by one of " + signers.size() + " allowed signer(s)" : "signatures not required";
    }
}
