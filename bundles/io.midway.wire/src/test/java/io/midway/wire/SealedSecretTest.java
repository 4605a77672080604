package io.midway.wire;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.regex.Pattern;

import org.junit.BeforeClass;
import org.junit.Test;

public class SealedSecretTest {

    private static final String SECRET = "correct horse battery staple \u00e9\u20ac";
    private static final String ALTERED = "the sealed secret was altered or is not sealed for this agent's key";
    private static final String MALFORMED = "the sealed secret is malformed: ";

    private static KeyPair agent;
    private static KeyPair other;

    @BeforeClass
    public static void keys() {
        agent = SealedSecret.newAgentKeyPair();
        other = SealedSecret.newAgentKeyPair();
    }

    @Test
    public void agentKeysAreRsa3072() {
        assertEquals("RSA", agent.getPublic().getAlgorithm());
        assertEquals(3072, ((RSAPublicKey) agent.getPublic()).getModulus().bitLength());
    }

    @Test
    public void roundTrip() throws Exception {
        String sealed = SealedSecret.seal(agent.getPublic(), SECRET);
        assertEquals(SECRET, SealedSecret.openString(agent.getPrivate(), sealed));

        byte[] bytes = {0, 1, 2, (byte) 0xff, 127};
        assertArrayEquals(bytes, SealedSecret.open(agent.getPrivate(), SealedSecret.seal(agent.getPublic(), bytes)));
        assertArrayEquals(new byte[0],
                SealedSecret.open(agent.getPrivate(), SealedSecret.seal(agent.getPublic(), new byte[0])));
    }

    @Test
    public void textHasTheV1Shape() {
        String sealed = SealedSecret.seal(agent.getPublic(), SECRET);
        String[] parts = sealed.split("\\.", -1);
        assertEquals(4, parts.length);
        assertEquals("v1", parts[0]);
        Pattern b64url = Pattern.compile("[A-Za-z0-9_-]+");
        for (int i = 1; i < 4; i++) {
            assertTrue(parts[i], b64url.matcher(parts[i]).matches());
        }
        Base64.Decoder d = Base64.getUrlDecoder();
        assertEquals(384, d.decode(parts[1]).length); // RSA 3072 wrapped key
        assertEquals(12, d.decode(parts[2]).length);
        assertEquals(SECRET.getBytes(StandardCharsets.UTF_8).length + 16, d.decode(parts[3]).length);
    }

    @Test
    public void sealingTwiceGivesDifferentTexts() throws Exception {
        String a = SealedSecret.seal(agent.getPublic(), SECRET);
        String b = SealedSecret.seal(agent.getPublic(), SECRET);
        assertNotEquals(a, b);
        String[] pa = a.split("\\.");
        String[] pb = b.split("\\.");
        assertNotEquals(pa[1], pb[1]);
        assertNotEquals(pa[2], pb[2]);
        assertNotEquals(pa[3], pb[3]);
        assertEquals(SealedSecret.openString(agent.getPrivate(), a), SealedSecret.openString(agent.getPrivate(), b));
    }

    @Test
    public void textNeverContainsThePlaintext() {
        String secret = "hunter2hunter2hunter2";
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 20; i++) {
            String sealed = SealedSecret.seal(agent.getPublic(), secret);
            assertFalse(sealed.contains(secret));
            assertFalse(sealed.contains(Base64.getEncoder().encodeToString(bytes)));
            assertFalse(sealed.contains(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)));
            assertFalse(sealed.contains("hunter2"));
        }
    }

    @Test
    public void flippingOneCharOfAnyPartFails() {
        String sealed = SealedSecret.seal(agent.getPublic(), SECRET);
        String[] parts = sealed.split("\\.");
        for (int part = 1; part <= 3; part++) {
            // First, middle and last character of each part: the last one of a part carries
            // unused bits in base64, which the canonical check catches.
            int len = parts[part].length();
            for (int at : new int[] {0, len / 2, len - 1}) {
                String altered = alter(parts, part, at);
                SealedSecretException e = assertThrows("part " + part + " char " + at, SealedSecretException.class,
                        () -> SealedSecret.open(agent.getPrivate(), altered));
                assertTrue(e.getMessage(), e.getMessage().equals(ALTERED) || e.getMessage().startsWith(MALFORMED));
                assertFalse(e.getMessage().contains(parts[part]));
            }
        }
    }

    @Test
    public void everyFlippedCharOfTheCiphertextFails() {
        String sealed = SealedSecret.seal(agent.getPublic(), "pw");
        String[] parts = sealed.split("\\.");
        for (int at = 0; at < parts[3].length(); at++) {
            String altered = alter(parts, 3, at);
            assertThrows("char " + at, SealedSecretException.class,
                    () -> SealedSecret.open(agent.getPrivate(), altered));
        }
    }

    @Test
    public void alteredWrappedKeyIvAndCiphertextSayAltered() {
        String sealed = SealedSecret.seal(agent.getPublic(), SECRET);
        String[] parts = sealed.split("\\.");
        // A change in the middle keeps the base64 canonical, so it reaches the cryptography.
        for (int part = 1; part <= 3; part++) {
            String altered = alter(parts, part, parts[part].length() / 2);
            SealedSecretException e = assertThrows(SealedSecretException.class,
                    () -> SealedSecret.open(agent.getPrivate(), altered));
            assertEquals("part " + part, ALTERED, e.getMessage());
        }
    }

    @Test
    public void malformedTexts() {
        String sealed = SealedSecret.seal(agent.getPublic(), SECRET);
        String[] p = sealed.split("\\.");

        malformed(p[0] + "." + p[1] + "." + p[2], "expected 4 parts separated by '.', found 3");
        malformed(p[1] + "." + p[2] + "." + p[3], "expected 4 parts separated by '.', found 3");
        malformed(sealed + ".x", "expected 4 parts separated by '.', found 5");
        malformed("v2." + p[1] + "." + p[2] + "." + p[3], "unsupported version (expected v1)");
        malformed("V1." + p[1] + "." + p[2] + "." + p[3], "unsupported version (expected v1)");
        malformed("v1.." + p[2] + "." + p[3], "the wrapped key is empty");
        malformed("v1." + p[1] + ".." + p[3], "the iv is empty");
        malformed("v1." + p[1] + "." + p[2] + ".", "the ciphertext is empty");
        malformed("v1." + p[1] + "." + p[2] + "!" + "." + p[3], "the iv is not base64url");
        malformed("v1." + p[1] + "." + p[2] + "==." + p[3], "the iv is not base64url");
        malformed("v1." + p[1] + "." + "AAAA" + "." + p[3], "the iv has 3 bytes, expected 12");
        malformed("v1." + p[1] + "." + p[2] + ".AAAA", "the ciphertext is shorter than its tag");
        malformed("v1." + p[1].replace('-', '+') + "." + p[2] + "." + p[3].replace('_', '/') + "+/",
                null);
        malformed(null, "no text");
        malformed("", "expected 4 parts separated by '.', found 1");
        malformed("hunter2", "expected 4 parts separated by '.', found 1");
    }

    @Test
    public void aPlainSecretInPlaceOfASealedOneIsNeverEchoed() {
        SealedSecretException e = assertThrows(SealedSecretException.class,
                () -> SealedSecret.open(agent.getPrivate(), "p4ss.w0rd.with.dots"));
        assertEquals(MALFORMED + "unsupported version (expected v1)", e.getMessage());
    }

    @Test
    public void wrongPrivateKeyFails() {
        String sealed = SealedSecret.seal(agent.getPublic(), SECRET);
        SealedSecretException e = assertThrows(SealedSecretException.class,
                () -> SealedSecret.open(other.getPrivate(), sealed));
        assertEquals(ALTERED, e.getMessage());
    }

    @Test
    public void wrongPrivateKeyOfAnotherSizeFails() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair small = g.generateKeyPair();
        String sealed = SealedSecret.seal(agent.getPublic(), SECRET);
        SealedSecretException e = assertThrows(SealedSecretException.class,
                () -> SealedSecret.open(small.getPrivate(), sealed));
        assertEquals(ALTERED, e.getMessage());
        // and a 2048-bit key is good enough to seal for
        assertEquals(SECRET, SealedSecret.openString(small.getPrivate(), SealedSecret.seal(small.getPublic(), SECRET)));
    }

    @Test
    public void nonRsaPrivateKeyFailsWithSealedSecretException() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair ec = g.generateKeyPair();
        String sealed = SealedSecret.seal(agent.getPublic(), SECRET);
        SealedSecretException e = assertThrows(SealedSecretException.class,
                () -> SealedSecret.open(ec.getPrivate(), sealed));
        assertEquals(ALTERED, e.getMessage());
        IllegalArgumentException seal = assertThrows(IllegalArgumentException.class,
                () -> SealedSecret.seal(ec.getPublic(), SECRET));
        assertEquals("not a base64 X.509 RSA public key", seal.getMessage());
    }

    @Test
    public void swappingPartsBetweenTwoSealedTextsFails() {
        String[] a = SealedSecret.seal(agent.getPublic(), "first secret").split("\\.");
        String[] b = SealedSecret.seal(agent.getPublic(), "other secret").split("\\.");
        String mixed = "v1." + a[1] + "." + a[2] + "." + b[3];
        SealedSecretException e = assertThrows(SealedSecretException.class,
                () -> SealedSecret.open(agent.getPrivate(), mixed));
        assertEquals(ALTERED, e.getMessage());
    }

    @Test
    public void openStringRejectsNonUtf8() {
        String sealed = SealedSecret.seal(agent.getPublic(), new byte[] {(byte) 0xc3, (byte) 0x28});
        SealedSecretException e = assertThrows(SealedSecretException.class,
                () -> SealedSecret.openString(agent.getPrivate(), sealed));
        assertEquals(MALFORMED + "the secret is not UTF-8 text", e.getMessage());
    }

    @Test
    public void publicKeyTextRoundTrips() {
        String text = SealedSecret.publicKeyText(agent.getPublic());
        assertFalse(text.contains("\n"));
        assertEquals(text, Base64.getEncoder().encodeToString(agent.getPublic().getEncoded()));
        PublicKey parsed = SealedSecret.parsePublicKey(text);
        assertEquals(agent.getPublic(), parsed);
        assertEquals(agent.getPublic(), SealedSecret.parsePublicKey("  " + text + "\n"));
    }

    @Test
    public void parsePublicKeyErrors() throws Exception {
        String notAKey = "not a base64 X.509 RSA public key";
        for (String bad : new String[] {null, "", "   ", "***", "aGVsbG8=",
                SealedSecret.publicKeyText(agent.getPublic()).substring(10)}) {
            IllegalArgumentException e = assertThrows(String.valueOf(bad), IllegalArgumentException.class,
                    () -> SealedSecret.parsePublicKey(bad));
            assertEquals(notAKey, e.getMessage());
        }

        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        String ecText = Base64.getEncoder().encodeToString(ec.generateKeyPair().getPublic().getEncoded());
        assertEquals(notAKey,
                assertThrows(IllegalArgumentException.class, () -> SealedSecret.parsePublicKey(ecText)).getMessage());

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        PublicKey weak = rsa.generateKeyPair().getPublic();
        String weakText = SealedSecret.publicKeyText(weak);
        assertEquals("RSA key of 1024 bits; at least 2048 are required",
                assertThrows(IllegalArgumentException.class, () -> SealedSecret.parsePublicKey(weakText)).getMessage());
        assertEquals("RSA key of 1024 bits; at least 2048 are required",
                assertThrows(IllegalArgumentException.class, () -> SealedSecret.seal(weak, "x")).getMessage());
    }

    @Test
    public void fingerprintIsSha256HexOfTheEncoding() throws Exception {
        String fp = SealedSecret.fingerprint(agent.getPublic());
        assertTrue(fp, fp.matches("SHA256:[0-9a-f]{64}"));
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(agent.getPublic().getEncoded());
        assertEquals("SHA256:" + java.util.HexFormat.of().formatHex(digest), fp);
        assertEquals(fp, SealedSecret.fingerprint(SealedSecret.parsePublicKey(SealedSecret.publicKeyText(agent.getPublic()))));
        assertNotEquals(fp, SealedSecret.fingerprint(other.getPublic()));
    }

    private static void malformed(String text, String detail) {
        SealedSecretException e = assertThrows(String.valueOf(text), SealedSecretException.class,
                () -> SealedSecret.open(agent.getPrivate(), text));
        assertTrue(e.getMessage(), e.getMessage().startsWith(MALFORMED));
        if (detail != null) {
            assertEquals(MALFORMED + detail, e.getMessage());
        }
    }

    /** Replaces one base64url character of a part by another one of the alphabet. */
    private static String alter(String[] parts, int part, int at) {
        char[] chars = parts[part].toCharArray();
        chars[at] = chars[at] == 'A' ? 'B' : 'A';
        String[] copy = parts.clone();
        copy[part] = new String(chars);
        return String.join(".", copy);
    }
}
