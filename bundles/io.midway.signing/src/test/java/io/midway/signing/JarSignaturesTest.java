package io.midway.signing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.testing.jars.TestSigner;

/** Real jars signed with the JDK's keytool and jarsigner, checked as the instance and the agent check them. */
public class JarSignaturesTest {

    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();

    private static TestSigner ourSigner;
    private static TestSigner theirSigner;
    private static String ours;
    private static String theirs;

    @BeforeClass
    public static void keys() throws Exception {
        Path keystore = TMP.getRoot().toPath().resolve("signers.p12");
        ourSigner = TestSigner.make(keystore, "ours", "CN=Plug-in signer, O=Example");
        theirSigner = TestSigner.make(keystore, "theirs", "CN=Someone else");
        ours = SignerPolicy.normalize(ourSigner.fingerprint());
        theirs = SignerPolicy.normalize(theirSigner.fingerprint());
    }

    @Test
    public void aJarSignedByAnAllowedSignerIsAccepted() throws Exception {
        Path jar = sign(bundle("ok.jar"), "ours");
        JarVerdict v = JarSignatures.check(jar, SignerPolicy.of(true, List.of(ours)));
        assertTrue(v.reason(), v.accepted());
        assertEquals(List.of("CN=Plug-in signer,O=Example (SHA-256 " + ours + ")"), v.signers());
    }

    @Test
    public void theAllowListTakesFingerprintsAsKeytoolPrintsThemOrPlain() throws Exception {
        Path jar = sign(bundle("plain.jar"), "ours");
        String plain = ours.replace(":", "").toLowerCase();
        assertTrue(JarSignatures.check(jar, SignerPolicy.of(true, "  " + theirs + ",\n" + plain)).accepted());
        assertTrue(JarSignatures.check(jar, SignerPolicy.of(true, List.of("SHA256:" + ours))).accepted());
    }

    @Test
    public void anUnsignedJarIsRefused() throws Exception {
        JarVerdict v = JarSignatures.check(bundle("unsigned.jar"), SignerPolicy.of(true, List.of(ours)));
        assertFalse(v.accepted());
        assertTrue(v.reason(), v.reason().startsWith("it is not signed; signatures are required"));
    }

    @Test
    public void aJarSignedBySomeoneElseIsRefusedNamingTheSigner() throws Exception {
        Path jar = sign(bundle("theirs.jar"), "theirs");
        JarVerdict v = JarSignatures.check(jar, SignerPolicy.of(true, List.of(ours)));
        assertFalse(v.accepted());
        assertEquals("it is signed by CN=Someone else (SHA-256 " + theirs + "), not by a signer on the allow-list", v.reason());
    }

    @Test
    public void anEntryChangedAfterSigningIsRefused() throws Exception {
        Path jar = sign(bundle("changed.jar"), "ours");
        Path changed = rewrite(jar, TMP.getRoot().toPath().resolve("changed-after.jar"), "io/example/Probe.class",
                "tampered".getBytes(StandardCharsets.UTF_8), false);
        JarVerdict v = JarSignatures.check(changed, SignerPolicy.of(true, List.of(ours)));
        assertFalse(v.accepted());
        assertEquals("its entry 'io/example/Probe.class' does not match its signature: the jar was changed after it was signed",
                v.reason());
    }

    @Test
    public void anEntryAddedAfterSigningIsRefused() throws Exception {
        Path jar = sign(bundle("added.jar"), "ours");
        Path added = rewrite(jar, TMP.getRoot().toPath().resolve("added-after.jar"), "io/example/Extra.class",
                "extra".getBytes(StandardCharsets.UTF_8), true);
        JarVerdict v = JarSignatures.check(added, SignerPolicy.of(true, List.of(ours)));
        assertFalse(v.accepted());
        assertEquals("its entry 'io/example/Extra.class' is not signed (added after signing?); every entry must be signed",
                v.reason());
    }

    @Test
    public void somethingThatIsNotAJarIsRefusedNotThrown() throws Exception {
        Path junk = TMP.newFile("junk.jar").toPath();
        Files.writeString(junk, "not a zip");
        JarVerdict v = JarSignatures.check(junk, SignerPolicy.of(true, List.of(ours)));
        assertFalse(v.accepted());
        assertTrue(v.reason(), v.reason().startsWith("it is not a jar whose signatures can be read"));
    }

    @Test
    public void withSignaturesNotRequiredAnythingGoes() throws Exception {
        Path junk = TMP.newFile("anything.jar").toPath();
        assertTrue(JarSignatures.check(junk, SignerPolicy.OFF).accepted());
        assertTrue(JarSignatures.check(bundle("off.jar"), SignerPolicy.of(false, List.of())).accepted());
    }

    @Test
    public void aPolicyThatCouldAcceptNothingOrNamesNoFingerprintIsRefused() {
        try {
            SignerPolicy.of(true, List.of());
            fail("required without signers");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().startsWith("signatures are required but no signer is allowed"));
        }
        try {
            SignerPolicy.of(false, "AB:CD");
            fail("a short fingerprint");
        } catch (IllegalArgumentException expected) {
            assertEquals("not a SHA-256 certificate fingerprint (64 hexadecimal digits, colons allowed): 'AB:CD'",
                    expected.getMessage());
        }
    }

    @Test
    public void aSettingAsEtcOrTheConsoleGivesItFailsClosedWhenItCannotBeUsed() throws Exception {
        Path signed = sign(bundle("setting.jar"), "ours");
        SigningSetting etc = SigningSetting.read(true, new String[] {theirs + ", " + ours});
        assertTrue(etc.required());
        assertTrue(etc.check(signed).accepted());
        assertFalse(etc.check(bundle("setting-unsigned.jar")).accepted());

        SigningSetting broken = SigningSetting.read(true, new String[] {"nonsense"});
        assertTrue("still required", broken.required());
        JarVerdict v = broken.check(signed);
        assertFalse("even a well-signed jar is refused", v.accepted());
        assertTrue(v.reason(), v.reason().startsWith("signatures are required and the signing configuration cannot be used: "
                + "not a SHA-256 certificate fingerprint"));

        SigningSetting off = SigningSetting.read(false, new String[] {"nonsense"});
        assertFalse(off.required());
        assertTrue(off.check(bundle("setting-off.jar")).accepted());
        assertTrue(off.ignored(), off.ignored().startsWith("not a SHA-256 certificate fingerprint"));
    }

    @Test
    public void signatureFilesAreTheOnesInMetaInfItself() {
        assertTrue(JarSignatures.isSignatureFile("META-INF/MANIFEST.MF"));
        assertTrue(JarSignatures.isSignatureFile("META-INF/OURS.SF"));
        assertTrue(JarSignatures.isSignatureFile("META-INF/OURS.EC"));
        assertFalse(JarSignatures.isSignatureFile("META-INF/maven/x/pom.xml"));
        assertFalse(JarSignatures.isSignatureFile("io/example/OURS.SF"));
    }

    // --- helpers: real keys and signatures, made with the JDK's tools

    private static Path sign(Path jar, String alias) throws Exception {
        return ("ours".equals(alias) ? ourSigner : theirSigner).sign(jar);
    }

    private static Path bundle(String name) throws IOException {
        Path jar = TMP.getRoot().toPath().resolve(name);
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Bundle-SymbolicName", "io.example.probe");
        m.getMainAttributes().putValue("Bundle-Version", "1.0.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            out.putNextEntry(new ZipEntry("io/example/"));
            out.putNextEntry(new ZipEntry("io/example/Probe.class"));
            out.write("a class".getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new ZipEntry("META-INF/maven/io.example/probe/pom.properties"));
            out.write("version=1.0.0".getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }

    /** Copies a jar, replacing (or adding) one entry's bytes. */
    private static Path rewrite(Path from, Path to, String entryName, byte[] bytes, boolean add) throws IOException {
        try (JarFile in = new JarFile(from.toFile(), false);
                OutputStream file = Files.newOutputStream(to);
                JarOutputStream out = new JarOutputStream(file)) {
            List<JarEntry> entries = new ArrayList<>();
            for (Enumeration<JarEntry> e = in.entries(); e.hasMoreElements();) {
                entries.add(e.nextElement());
            }
            for (JarEntry e : entries) {
                out.putNextEntry(new ZipEntry(e.getName()));
                if (!add && e.getName().equals(entryName)) {
                    out.write(bytes);
                } else {
                    try (InputStream data = in.getInputStream(e)) {
                        data.transferTo(out);
                    }
                }
            }
            if (add) {
                out.putNextEntry(new ZipEntry(entryName));
                out.write(bytes);
            }
        }
        return to;
    }
}
