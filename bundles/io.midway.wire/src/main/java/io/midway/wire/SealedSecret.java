package io.midway.wire;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hybrid encryption of a secret for one agent: the instance seals each secret field of a
 * credential with the agent's RSA public key, and only that agent's private key opens it.
 *
 * <p>The sealed text is {@code v1.<wrapped key>.<iv>.<ciphertext>}, each part base64 with the
 * URL-safe alphabet and no padding (so the text never contains another {@code '.'}):
 * <ul>
 * <li>a fresh random AES-256 key per call encrypts the plaintext with {@code AES/GCM/NoPadding},
 * a random 12-byte IV, a 128-bit tag (appended to the ciphertext) and the version {@code "v1"}
 * as additional authenticated data;</li>
 * <li>that AES key is encrypted with {@code RSA/ECB/OAEPWithSHA-256AndMGF1Padding}, with SHA-256
 * for both OAEP and MGF1 stated explicitly so that every provider agrees.</li>
 * </ul>
 *
 * <p>Sealing the same plaintext twice gives different texts. {@link #open(PrivateKey, String)}
 * accepts only the canonical encoding, so changing any character of the text makes it fail.
 * Messages never contain the sealed text or the plaintext.
 *
 * <p>All methods are thread-safe.
 */
public final class SealedSecret {

    /** The version prefix of the sealed text, also the GCM additional authenticated data. */
    public static final String VERSION = "v1";

    /** The size of the RSA keys {@link #newAgentKeyPair()} makes. */
    public static final int AGENT_KEY_BITS = 3072;

    /** The smallest RSA key accepted to seal for. */
    public static final int MIN_KEY_BITS = 2048;

    private static final String RSA_TRANSFORMATION = "RSA/ECB/OAEPWithSHA-256AndMGF1Padding";
    private static final OAEPParameterSpec OAEP = new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
            PSource.PSpecified.DEFAULT);
    private static final String AES_TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int AES_KEY_BYTES = 32;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] AAD = VERSION.getBytes(StandardCharsets.US_ASCII);

    private static final String MALFORMED = "the sealed secret is malformed: ";
    private static final String NOT_FOR_THIS_KEY =
            "the sealed secret was altered or is not sealed for this agent's key";
    private static final String NOT_A_KEY = "not a base64 X.509 RSA public key";

    private static final Base64.Encoder PART_ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder PART_DECODER = Base64.getUrlDecoder();
    private static final SecureRandom RANDOM = new SecureRandom();

    private SealedSecret() {
    }

    /**
     * Makes a new key pair for an agent.
     *
     * @return a fresh RSA 3072 key pair
     */
    public static KeyPair newAgentKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(AGENT_KEY_BITS, RANDOM);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no RSA key pair generator", e);
        }
    }

    /**
     * The text form of a public key, as an agent sends it when it registers.
     *
     * @param key a public key
     * @return standard base64, without line breaks, of its X.509 SubjectPublicKeyInfo encoding
     */
    public static String publicKeyText(PublicKey key) {
        Objects.requireNonNull(key, "key");
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    /**
     * Reads the text form of {@link #publicKeyText(PublicKey)}. Whitespace around the text is
     * ignored.
     *
     * @param text standard base64 of an X.509 SubjectPublicKeyInfo of an RSA key
     * @return the key
     * @throws IllegalArgumentException {@code "not a base64 X.509 RSA public key"}, or
     *     {@code "RSA key of N bits; at least 2048 are required"}
     */
    public static PublicKey parsePublicKey(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(NOT_A_KEY);
        }
        byte[] encoded;
        try {
            encoded = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(NOT_A_KEY, e);
        }
        PublicKey key;
        try {
            key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(encoded));
        } catch (InvalidKeySpecException | RuntimeException e) {
            throw new IllegalArgumentException(NOT_A_KEY, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no RSA key factory", e);
        }
        requireStrongRsa(key);
        return key;
    }

    /**
     * The fingerprint of a public key, to show and compare keys without the whole text.
     *
     * @param key a public key
     * @return {@code SHA256:} followed by the lower-case hex SHA-256 of its X.509 encoding
     */
    public static String fingerprint(PublicKey key) {
        Objects.requireNonNull(key, "key");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return "SHA256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no SHA-256", e);
        }
    }

    /**
     * Seals a secret for the holder of the private key that matches {@code recipient}.
     *
     * @param recipient the agent's RSA public key, at least 2048 bits
     * @param plaintext the secret; not kept
     * @return {@code v1.<b64 wrapped key>.<b64 iv>.<b64 ciphertext||tag>}, different on every call
     * @throws IllegalArgumentException when the key is not an RSA key of at least 2048 bits
     */
    public static String seal(PublicKey recipient, byte[] plaintext) {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(plaintext, "plaintext");
        requireStrongRsa(recipient);
        byte[] aesKey = new byte[AES_KEY_BYTES];
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(aesKey);
        RANDOM.nextBytes(iv);
        try {
            Cipher aes = Cipher.getInstance(AES_TRANSFORMATION);
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new GCMParameterSpec(TAG_BITS, iv));
            aes.updateAAD(AAD);
            byte[] ciphertext = aes.doFinal(plaintext);

            Cipher rsa = Cipher.getInstance(RSA_TRANSFORMATION);
            rsa.init(Cipher.ENCRYPT_MODE, recipient, OAEP, RANDOM);
            byte[] wrappedKey = rsa.doFinal(aesKey);

            return VERSION + '.' + PART_ENCODER.encodeToString(wrappedKey) + '.' + PART_ENCODER.encodeToString(iv)
                    + '.' + PART_ENCODER.encodeToString(ciphertext);
        } catch (GeneralSecurityException e) {
            // Only a runtime without the mandatory Java SE ciphers gets here.
            throw new IllegalStateException("cannot seal: " + e.getMessage(), e);
        } finally {
            Arrays.fill(aesKey, (byte) 0);
        }
    }

    /**
     * Seals a text secret, encoded as UTF-8.
     *
     * @param recipient the agent's RSA public key, at least 2048 bits
     * @param plaintext the secret
     * @return the sealed text, as {@link #seal(PublicKey, byte[])}
     */
    public static String seal(PublicKey recipient, String plaintext) {
        Objects.requireNonNull(plaintext, "plaintext");
        return seal(recipient, plaintext.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Opens a secret sealed by {@link #seal(PublicKey, byte[])}. It returns the whole plaintext
     * or nothing: the GCM tag is checked before any byte is returned.
     *
     * @param key the agent's RSA private key
     * @param sealed the sealed text
     * @return the plaintext; the caller should clear it when done
     * @throws SealedSecretException {@code "the sealed secret is malformed: …"} when the text does
     *     not have the {@code v1} shape, or {@code "the sealed secret was altered or is not sealed
     *     for this agent's key"} when it does not open with this key
     */
    public static byte[] open(PrivateKey key, String sealed) throws SealedSecretException {
        Objects.requireNonNull(key, "key");
        if (sealed == null) {
            throw new SealedSecretException(MALFORMED + "no text");
        }
        String[] parts = sealed.split("\\.", -1);
        if (parts.length != 4) {
            throw new SealedSecretException(
                    MALFORMED + "expected 4 parts separated by '.', found " + parts.length);
        }
        if (!VERSION.equals(parts[0])) {
            // Never echo the version part: a mistyped plain secret would show up in the message.
            throw new SealedSecretException(MALFORMED + "unsupported version (expected " + VERSION + ")");
        }
        byte[] wrappedKey = decodePart(parts[1], "wrapped key");
        byte[] iv = decodePart(parts[2], "iv");
        byte[] ciphertext = decodePart(parts[3], "ciphertext");
        if (iv.length != IV_BYTES) {
            throw new SealedSecretException(MALFORMED + "the iv has " + iv.length + " bytes, expected " + IV_BYTES);
        }
        if (ciphertext.length < TAG_BITS / 8) {
            throw new SealedSecretException(MALFORMED + "the ciphertext is shorter than its tag");
        }
        if (key instanceof RSAKey rsaKey) {
            int modulusBytes = (rsaKey.getModulus().bitLength() + 7) / 8;
            if (wrappedKey.length != modulusBytes) {
                throw new SealedSecretException(NOT_FOR_THIS_KEY);
            }
        }
        byte[] aesKey = null;
        try {
            Cipher rsa = Cipher.getInstance(RSA_TRANSFORMATION);
            rsa.init(Cipher.DECRYPT_MODE, key, OAEP);
            aesKey = rsa.doFinal(wrappedKey);
            if (aesKey.length != AES_KEY_BYTES) {
                throw new SealedSecretException(NOT_FOR_THIS_KEY);
            }
            Cipher aes = Cipher.getInstance(AES_TRANSFORMATION);
            aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new GCMParameterSpec(TAG_BITS, iv));
            aes.updateAAD(AAD);
            return aes.doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            throw new SealedSecretException(NOT_FOR_THIS_KEY);
        } catch (GeneralSecurityException | RuntimeException e) {
            // Bad OAEP padding (wrong key or altered wrapped key), a key that is not RSA, or a
            // provider complaint: the text does not open with this key. The cause holds no secret.
            throw new SealedSecretException(NOT_FOR_THIS_KEY, e);
        } finally {
            if (aesKey != null) {
                Arrays.fill(aesKey, (byte) 0);
            }
        }
    }

    /**
     * Opens a text secret sealed by {@link #seal(PublicKey, String)}.
     *
     * @param key the agent's RSA private key
     * @param sealed the sealed text
     * @return the secret
     * @throws SealedSecretException as {@link #open(PrivateKey, String)}, or when the plaintext
     *     is not UTF-8
     */
    public static String openString(PrivateKey key, String sealed) throws SealedSecretException {
        byte[] plaintext = open(key, sealed);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(plaintext));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new SealedSecretException(MALFORMED + "the secret is not UTF-8 text");
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private static byte[] decodePart(String part, String what) throws SealedSecretException {
        if (part.isEmpty()) {
            throw new SealedSecretException(MALFORMED + "the " + what + " is empty");
        }
        byte[] bytes;
        try {
            bytes = PART_DECODER.decode(part);
        } catch (IllegalArgumentException e) {
            throw new SealedSecretException(MALFORMED + "the " + what + " is not base64url");
        }
        // The decoder ignores unused trailing bits and accepts padding: insist on the one
        // canonical form, so that no change to the text goes unnoticed.
        if (!PART_ENCODER.encodeToString(bytes).equals(part)) {
            throw new SealedSecretException(MALFORMED + "the " + what + " is not canonical unpadded base64url");
        }
        return bytes;
    }

    private static void requireStrongRsa(PublicKey key) {
        if (!(key instanceof RSAPublicKey rsa)) {
            throw new IllegalArgumentException(NOT_A_KEY);
        }
        BigInteger modulus = rsa.getModulus();
        int bits = modulus.bitLength();
        if (bits < MIN_KEY_BITS) {
            throw new IllegalArgumentException("RSA key of " + bits + " bits; at least " + MIN_KEY_BITS
                    + " are required");
        }
    }
}
