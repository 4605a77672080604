package io.midway.instance.internal;

import io.midway.instance.api.InstanceException;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.instance.internal.BundleJarInspector.BundleIdentity;
import io.midway.testing.jars.TestJars;

/** What an upload must be: a jar readable to the end with a bundle manifest. */
public class BundleJarInspectorTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path file(String name) {
        return tmp.getRoot().toPath().resolve(name);
    }

    private static String rejection(Path jar) {
        try {
            BundleIdentity identity = BundleJarInspector.inspect(jar);
            fail("accepted as " + identity);
            return null;
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.INVALID, e.reason());
            return e.getMessage();
        }
    }

    @Test
    public void theEchoBundleIsABundle() throws Exception {
        Path echo = TestBundles.echo(file("echo.jar"));
        assertEquals(new BundleIdentity(TestBundles.ECHO, "0.1.0"), BundleJarInspector.inspect(echo));
        Path v2 = TestJars.withVersion(echo, file("echo2.jar"), "2.0");
        assertEquals("the version is normalised", new BundleIdentity(TestBundles.ECHO, "2.0.0"),
                BundleJarInspector.inspect(v2));
    }

    @Test
    public void parametersOfTheSymbolicNameAreStrippedAndTheVersionDefaults() throws Exception {
        Path jar = TestBundles.bundle(file("s.jar"), Map.of("Bundle-SymbolicName", " com.acme.x ; singleton:=true"));
        assertEquals(new BundleIdentity("com.acme.x", "0.0.0"), BundleJarInspector.inspect(jar));
    }

    @Test
    public void notAZip() throws Exception {
        Path text = Files.writeString(file("a.jar"), "this is not a zip at all");
        assertTrue(rejection(text), rejection(text).startsWith("not a jar: "));
        Path corrupt = TestJars.corrupt(file("corrupt.jar"));
        assertTrue(rejection(corrupt), rejection(corrupt).startsWith("not a jar: "));
        Path empty = Files.write(file("empty.jar"), new byte[0]);
        assertTrue(rejection(empty), rejection(empty).startsWith("not a jar: "));
    }

    @Test
    public void truncatedZip() throws Exception {
        byte[] echo = Files.readAllBytes(TestBundles.echo(file("echo.jar")));
        Path cutEnd = Files.write(file("cut-end.jar"), Arrays.copyOf(echo, echo.length - 10));
        assertTrue(rejection(cutEnd), rejection(cutEnd).startsWith("not a jar: "));
        Path half = Files.write(file("half.jar"), Arrays.copyOf(echo, echo.length / 2));
        assertTrue(rejection(half), rejection(half).startsWith("not a jar: "));
    }

    @Test
    public void anEntryWithDamagedBytesIsCaughtByReadingItToTheEnd() throws Exception {
        byte[] content = "0123456789 the content of a stored entry, checked by its CRC".getBytes(StandardCharsets.UTF_8);
        Path jar = file("damaged.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Bundle-SymbolicName", "com.acme.damaged");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out, manifest)) {
            JarEntry entry = new JarEntry("data.txt");
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(content.length);
            entry.setCompressedSize(content.length);
            CRC32 crc = new CRC32();
            crc.update(content);
            entry.setCrc(crc.getValue());
            zip.putNextEntry(entry);
            zip.write(content);
            zip.closeEntry();
        }
        assertEquals("intact, it is accepted", "com.acme.damaged", BundleJarInspector.inspect(jar).symbolicName());
        byte[] bytes = Files.readAllBytes(jar);
        int at = indexOf(bytes, "the content".getBytes(StandardCharsets.UTF_8));
        assertTrue(at > 0);
        bytes[at] = 'T';
        Files.write(jar, bytes);
        String reason = rejection(jar);
        assertTrue(reason, reason.startsWith("not a jar: entry data.txt is damaged"));
    }

    @Test
    public void noManifest() throws Exception {
        Path jar = TestBundles.zipWithoutManifest(file("plain.jar"), List.of("a.txt", "b/c.txt"));
        assertEquals("no manifest in the jar", rejection(jar));
    }

    @Test
    public void noSymbolicName() throws Exception {
        Path jar = TestBundles.bundle(file("nobsn.jar"), Map.of("Bundle-Version", "1.0.0"));
        assertEquals("no Bundle-SymbolicName in the manifest", rejection(jar));
        Path blank = TestBundles.bundle(file("blank.jar"), Map.of("Bundle-SymbolicName", " "));
        assertEquals("no Bundle-SymbolicName in the manifest", rejection(blank));
        Path spaces = TestBundles.bundle(file("spaces.jar"), Map.of("Bundle-SymbolicName", "com acme"));
        assertEquals("invalid Bundle-SymbolicName 'com acme'", rejection(spaces));
    }

    @Test
    public void badVersion() throws Exception {
        Path jar = TestBundles.bundle(file("v.jar"), "com.acme.x", "1.x");
        assertEquals("invalid Bundle-Version '1.x'", rejection(jar));
        Path echo = TestJars.withVersion(TestBundles.echo(file("echo.jar")), file("echo-bad.jar"), "2.0.0.bad qualifier");
        assertTrue(rejection(echo).startsWith("invalid Bundle-Version"));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
