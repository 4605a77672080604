package io.midway.credential.store.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.Set;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.wire.SealedSecret;

/**
 * The agent's RSA key pair, made at first start: {@code agent.key} (the private key, PKCS#8 in
 * PEM, {@code rw-------}) and {@code agent.pub} (the public key, X.509 in PEM, for the operator).
 * Like ssh, it refuses a private key file that its group or others may access. The public key is
 * always derived from the private key; {@code agent.pub} is rewritten when missing or different.
 */
final class AgentKey {

    private static final Logger LOG = LoggerFactory.getLogger(AgentKey.class);

    static final String PRIVATE_FILE = "agent.key";
    static final String PUBLIC_FILE = "agent.pub";
    private static final String PRIVATE_PEM = "PRIVATE KEY";
    private static final String PUBLIC_PEM = "PUBLIC KEY";

    private final Path privateFile;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private AgentKey(Path privateFile, PrivateKey privateKey, PublicKey publicKey) {
        this.privateFile = privateFile;
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /**
     * Reads the key pair in a directory, or makes it there when there is none.
     *
     * @param dir the credentials directory (created {@code rwx------} when missing)
     * @return the key pair
     * @throws IOException when the files cannot be read or written, the private key file is
     *     accessible by group or others, or it holds no RSA private key
     */
    /**
     * @param dir a credentials directory
     * @return whether it holds a private key already
     */
    static boolean exists(Path dir) {
        return Files.exists(dir.resolve(PRIVATE_FILE));
    }

    static AgentKey loadOrCreate(Path dir) throws IOException {
        OwnerOnlyFiles.createDirectory(dir);
        Path privateFile = dir.resolve(PRIVATE_FILE);
        Path publicFile = dir.resolve(PUBLIC_FILE);
        AgentKey key;
        if (Files.exists(privateFile)) {
            requireOwnerOnly(privateFile);
            key = new AgentKey(privateFile, readPrivate(privateFile), null).withDerivedPublic();
        } else {
            KeyPair pair = SealedSecret.newAgentKeyPair();
            OwnerOnlyFiles.write(privateFile, pem(PRIVATE_PEM, pair.getPrivate().getEncoded()));
            key = new AgentKey(privateFile, pair.getPrivate(), pair.getPublic());
            LOG.info("Made the agent's key pair in {} (public key {})", dir, SealedSecret.fingerprint(pair.getPublic()));
        }
        byte[] publicPem = pem(PUBLIC_PEM, key.publicKey.getEncoded());
        if (!Files.exists(publicFile) || !java.util.Arrays.equals(Files.readAllBytes(publicFile), publicPem)) {
            OwnerOnlyFiles.write(publicFile, publicPem);
        }
        return key;
    }

    /** Refuses a private key file its group or others may read, write or run, as ssh does. */
    private static void requireOwnerOnly(Path file) throws IOException {
        Set<PosixFilePermission> open = OwnerOnlyFiles.groupOrOthers(file);
        if (!open.isEmpty()) {
            throw new IOException("the agent's private key " + file + " is accessible by "
                    + open.stream().map(p -> p.name().startsWith("GROUP") ? "group" : "others").distinct()
                            .collect(Collectors.joining(" and "))
                    + " (permissions " + OwnerOnlyFiles.describe(file) + "); it must be readable by the agent's "
                    + "user only: run 'chmod 600 " + file + "' and restart. The credential store is not started.");
        }
    }

    private static PrivateKey readPrivate(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + PRIVATE_PEM + "-----";
        String end = "-----END " + PRIVATE_PEM + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IOException("the agent's private key " + file + " is not a PEM PKCS#8 private key");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IOException("the agent's private key " + file + " is not a PKCS#8 RSA private key", e);
        }
    }

    private AgentKey withDerivedPublic() throws IOException {
        if (!(privateKey instanceof RSAPrivateCrtKey crt)) {
            throw new IOException("the agent's private key " + privateFile
                    + " has no public exponent (not an RSA CRT key)");
        }
        try {
            PublicKey derived = KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
            return new AgentKey(privateFile, privateKey, derived);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot derive the public key of " + privateFile, e);
        }
    }

    private static byte[] pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** @return the private key; never logged or shown */
    PrivateKey privateKey() {
        return privateKey;
    }

    /** @return the public key */
    PublicKey publicKey() {
        return publicKey;
    }

    /** @return the private key file */
    Path privateFile() {
        return privateFile;
    }

    @Override
    public String toString() {
        return "AgentKey[" + privateFile + ", " + SealedSecret.fingerprint(publicKey) + "]";
    }
}
