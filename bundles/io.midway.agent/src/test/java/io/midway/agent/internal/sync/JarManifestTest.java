package io.midway.agent.internal.sync;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.testing.jars.TestJars;

public class JarManifestTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final Path echo = EchoFixture.jar();

    private Path jar(Map<String, String> headers) throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach((k, v) -> manifest.getMainAttributes().putValue(k, v));
        Path out = tmp.newFile().toPath();
        try (OutputStream file = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(file, manifest)) {
            jar.flush();
        }
        return out;
    }

    @Test
    public void readsTheBundleIdentity() throws Exception {
        assertEquals(new JarManifest("io.midway.testing.echo", "0.1.0"), JarManifest.read(echo));
        Path singleton = TestJars.withHeaders(echo, tmp.newFile().toPath(),
                Map.of("Bundle-SymbolicName", "com.acme.x;singleton:=true", "Bundle-Version", "1.2"));
        assertEquals(new JarManifest("com.acme.x", "1.2.0"), JarManifest.read(singleton));
        assertEquals(new JarManifest("com.acme.y", "0.0.0"), JarManifest.read(jar(Map.of("Bundle-SymbolicName", "com.acme.y"))));
    }

    @Test
    public void refusesWhatIsNoBundle() throws Exception {
        expect(TestJars.corrupt(tmp.newFile().toPath()), "not a jar: ");
        expect(jar(Map.of("Implementation-Title", "plain")), "not a bundle: no Bundle-SymbolicName in the manifest");
        expect(jar(Map.of("Bundle-SymbolicName", "x", "Bundle-Version", "1.x")), "not a valid Bundle-Version '1.x'");
    }

    private static void expect(Path jar, String start) {
        try {
            JarManifest.read(jar);
            fail("expected: " + start);
        } catch (SyncFailure e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(start));
        }
    }
}
