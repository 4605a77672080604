package io.midway.instance.internal;

import io.midway.instance.api.InstanceException;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

import org.junit.After;
import org.junit.Test;

import io.midway.testing.jars.TestJars;
import io.midway.instance.api.RepositoryFile;

/**
 * The jars of the file-sync and agent-core repositories live in the database (issue 15 point 5):
 * a jar uploaded through one instance node downloads from another that never saw it, byte for
 * byte, through that node's own cache folder; removed on one, it is gone on the other. On H2 the
 * "other node" is a second repository with its own folder on the same database; on PostgreSQL
 * ({@code PostgresSharedJarsTest}) it is a second {@link InstanceServices} with its own connection pool.
 */
public class SharedJarsTest extends ServiceFixture {

    private static final long LIMIT = 16L * 1024 * 1024;

    private InstanceServices other;

    /** @return the instance of the second node: on H2 the same (one process owns the database) */
    protected InstanceServices otherNode() {
        return service;
    }

    @After
    public void stopOther() {
        if (other != null && other != service) {
            other.close();
        }
    }

    private Path folder(String name) {
        return tmp.getRoot().toPath().resolve(name);
    }

    private static byte[] download(FileSyncService files, String sha256) throws IOException {
        try (InputStream in = files.open(sha256).bytes()) {
            return in.readAllBytes();
        }
    }

    private List<String> storedJars() {
        return service.core().read(s -> s.jars().all());
    }

    @Test
    public void aFileUploadedOnOneNodeDownloadsOnTheOtherAndIsGoneThereWhenRemoved() throws Exception {
        other = otherNode();
        FileSyncService a = new FileSyncService(service.core(), folder("a-files"), LIMIT);
        FileSyncService b = new FileSyncService(other.core(), folder("b-files"), LIMIT);
        Path echo = TestBundles.echo(folder("echo.jar"));
        String sha = TestJars.sha256(echo);
        try (InputStream in = Files.newInputStream(echo)) {
            a.upload(in, Files.size(echo), RepositoryFile.KIND_PROBE, null);
        }
        assertEquals("the bytes are in the database", List.of(sha), storedJars());
        assertFalse("node b has not seen it", Files.exists(folder("b-files").resolve(sha + ".jar")));

        assertArrayEquals("node b serves the same bytes", Files.readAllBytes(echo), download(b, sha));
        assertTrue("and keeps them in its cache", Files.exists(folder("b-files").resolve(sha + ".jar")));
        assertArrayEquals("from its cache the second time", Files.readAllBytes(echo), download(b, sha));

        a.delete(TestBundles.ECHO);
        try {
            b.open(sha).bytes().close();
            fail("served after its removal on the other node");
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.NOT_FOUND, e.reason());
        }
        assertFalse("node b's cached copy is removed", Files.exists(folder("b-files").resolve(sha + ".jar")));
        assertEquals("nothing names the bytes: gone from the database", List.of(), storedJars());
        assertEquals(List.of(), b.snapshot().files());
    }

    @Test
    public void aJarLargerThanOneSliceArrivesWhole() throws Exception {
        other = otherNode();
        FileSyncService a = new FileSyncService(service.core(), folder("a-files"), LIMIT);
        FileSyncService b = new FileSyncService(other.core(), folder("b-files"), LIMIT);
        // 3.5 MiB of incompressible bytes, stored: several 1 MiB slices and a partial one
        Path big = bigBundle(folder("big.jar"), "io.midway.testing.big", 3 * 1024 * 1024 + 512 * 1024);
        String sha = TestJars.sha256(big);
        try (InputStream in = Files.newInputStream(big)) {
            a.upload(in, Files.size(big), RepositoryFile.KIND_LIBRARY, null);
        }
        byte[] got = download(b, sha);
        assertEquals(Files.size(big), got.length);
        assertArrayEquals(Files.readAllBytes(big), got);
    }

    @Test
    public void replacedBytesLeaveTheDatabaseAndACoreUploadedOnOneNodeDownloadsOnTheOther() throws Exception {
        other = otherNode();
        FileSyncService files = new FileSyncService(service.core(), folder("a-files"), LIMIT);
        Path v1 = TestBundles.bundle(folder("p1.jar"), "io.midway.testing.p", "1.0.0");
        Path v2 = TestBundles.bundle(folder("p2.jar"), "io.midway.testing.p", "2.0.0");
        for (Path jar : List.of(v1, v2)) {
            try (InputStream in = Files.newInputStream(jar)) {
                files.upload(in, Files.size(jar), RepositoryFile.KIND_PROBE, null);
            }
        }
        assertEquals("only the current bytes", List.of(TestJars.sha256(v2)), storedJars());

        AgentCoreRepository coresA = new AgentCoreRepository(service.core(), folder("a-cores"), LIMIT);
        AgentCoreRepository coresB = new AgentCoreRepository(other.core(), folder("b-cores"), LIMIT);
        Path core1 = TestBundles.bundle(folder("core1.jar"), AgentCoreRepository.CORE_SYMBOLIC_NAME, "9.0.0");
        Path core1b = TestBundles.bundle(folder("core1b.jar"), java.util.Map.of("Bundle-SymbolicName",
                AgentCoreRepository.CORE_SYMBOLIC_NAME, "Bundle-Version", "9.0.0", "Bundle-Name", "rebuilt"));
        try (InputStream in = Files.newInputStream(core1)) {
            coresA.upload(in, Files.size(core1));
        }
        String coreSha = TestJars.sha256(core1);
        try (InputStream in = coresB.open(coreSha).bytes()) {
            assertArrayEquals(Files.readAllBytes(core1), in.readAllBytes());
        }
        // the same version with new bytes replaces the old bytes everywhere
        try (InputStream in = Files.newInputStream(core1b)) {
            coresA.upload(in, Files.size(core1b));
        }
        assertFalse(storedJars().contains(coreSha));
        try {
            coresB.open(coreSha).bytes().close();
            fail("replaced bytes served");
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.NOT_FOUND, e.reason());
        }
        try (InputStream in = coresB.open(TestJars.sha256(core1b)).bytes()) {
            assertArrayEquals(Files.readAllBytes(core1b), in.readAllBytes());
        }
    }

    @Test
    public void jarsAnOlderReleaseKeptOnlyInTheFolderMoveIntoTheDatabaseAtStart() throws Exception {
        // As a database of schema 11 or older left it: the rows, and the bytes only in <data>/files.
        Path echo = TestBundles.echo(folder("echo.jar"));
        String sha = TestJars.sha256(echo);
        Path legacyFolder = Files.createDirectories(folder("files"));
        Files.copy(echo, legacyFolder.resolve(sha + ".jar"));
        long size = Files.size(echo);
        service.core().writeStore(s -> {
            s.putSyncFile(new RepositoryFile("echo.jar", RepositoryFile.KIND_PROBE, TestBundles.ECHO, "1.0.0", sha, size),
                    "2026-03-01 10:00:00");
            return null;
        });
        assertEquals(List.of(), storedJars());

        new FileSyncService(service.core(), legacyFolder, LIMIT);
        assertEquals("stored in the database at start", List.of(sha), storedJars());

        // The folder is only a cache now: a node without it (or this one, with it lost) serves the file.
        Files.delete(legacyFolder.resolve(sha + ".jar"));
        FileSyncService again = new FileSyncService(otherNodeOrSelf().core(), folder("fresh-files"), LIMIT);
        assertArrayEquals(Files.readAllBytes(echo), download(again, sha));
    }

    private InstanceServices otherNodeOrSelf() {
        other = otherNode();
        return other;
    }

    /** A bundle jar with one stored (uncompressed) entry of random bytes. */
    static Path bigBundle(Path out, String symbolicName, int bytes) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", "1.0.0");
        byte[] data = new byte[bytes];
        new Random(42).nextBytes(data);
        CRC32 crc = new CRC32();
        crc.update(data);
        try (OutputStream file = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(file, manifest)) {
            JarEntry entry = new JarEntry("data.bin");
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(data.length);
            entry.setCompressedSize(data.length);
            entry.setCrc(crc.getValue());
            jar.putNextEntry(entry);
            jar.write(data);
            jar.closeEntry();
        }
        return out;
    }
}
