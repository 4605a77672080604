package io.midway.wire.jar;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Manifest;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class BoundedManifestTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path jar(String manifest) throws IOException {
        Path jar = tmp.newFile().toPath();
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(file)) {
            if (manifest != null) {
                zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
                zip.write(manifest.getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
            zip.putNextEntry(new ZipEntry("a/B.class"));
            zip.write(new byte[] {1, 2, 3});
            zip.closeEntry();
        }
        return jar;
    }

    private static String bundle() {
        return "Manifest-Version: 1.0\r\nBundle-SymbolicName: io.midway.probe.x;singleton:=true\r\nBundle-Version: 1.2.3\r\n"
                + "Import-Package: io.midway.api.probe;version=\"[1.0,2)\",org.slf4j;version=\"[2.0,3)\",org\r\n .osgi.framework\r\n\r\n"
                + "Name: a/B.class\r\nSHA-256-Digest: abc\r\n\r\n";
    }

    @Test
    public void aBundleManifestReadsAsTheJdkReadsIt() throws Exception {
        Manifest m = BoundedManifest.read(jar(bundle()));
        assertEquals("io.midway.probe.x;singleton:=true", m.getMainAttributes().getValue("Bundle-SymbolicName"));
        assertEquals("1.2.3", m.getMainAttributes().getValue("Bundle-Version"));
        assertTrue(m.getMainAttributes().getValue("Import-Package").endsWith("org.osgi.framework"));
        assertEquals("abc", m.getAttributes("a/B.class").getValue("SHA-256-Digest"));
        assertNull(BoundedManifest.read(jar(null)));
    }

    @Test
    public void aKeyRepeatedMillionsOfTimesIsRefusedBySizeWithoutAJdkWarning() throws Exception {
        StringBuilder m = new StringBuilder("Manifest-Version: 1.0\nBundle-SymbolicName: evil\n");
        for (int i = 0; i < 2_000_000; i++) {
            m.append("X: y\n");
        }
        Path jar = jar(m.toString());
        List<LogRecord> warnings = new ArrayList<>();
        Logger jdk = Logger.getLogger("java.util.jar");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jdk.addHandler(capture);
        try {
            BoundedManifest.read(jar);
            fail("a 10 MB manifest");
        } catch (InvalidManifestException e) {
            assertEquals("META-INF/MANIFEST.MF is larger than the limit of 1048576 bytes (1 MiB)", e.getMessage());
        } finally {
            jdk.removeHandler(capture);
        }
        assertEquals("the JDK parsed nothing", List.of(), warnings);
    }

    @Test
    public void tooManyLinesAreRefused() throws Exception {
        StringBuilder m = new StringBuilder("Manifest-Version: 1.0\nBundle-SymbolicName: long\nImport-Package: a");
        for (int i = 0; i < 25_000; i++) {
            m.append("\n ,p").append(i);
        }
        try {
            BoundedManifest.read(jar(m.append('\n').toString()));
            fail("25,000 lines");
        } catch (InvalidManifestException e) {
            assertEquals("META-INF/MANIFEST.MF has more than the limit of 20000 lines", e.getMessage());
        }
    }

    @Test
    public void aHeaderNamedTwiceInOneSectionIsRefused() throws Exception {
        try {
            BoundedManifest.read(jar("Manifest-Version: 1.0\nBundle-SymbolicName: a\nbundle-symbolicname: b\n"));
            fail("a repeated header");
        } catch (InvalidManifestException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("'bundle-symbolicname' twice in one section (line 3)"));
        }
        // the same header in two sections is fine
        Manifest m = BoundedManifest.read(jar("Manifest-Version: 1.0\n\nName: a\nX: 1\n\nName: b\nX: 2\n"));
        assertEquals("2", m.getAttributes("b").getValue("X"));
    }
}
