package io.midway.agent.internal.sync;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class JarCacheTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private JarCache cache;
    private final byte[] bytes = "the bytes of a jar".getBytes(StandardCharsets.UTF_8);
    private String sha;
    private final AtomicInteger downloads = new AtomicInteger();

    @Before
    public void setUp() {
        cache = new JarCache(tmp.getRoot().toPath().resolve("files"));
        sha = HexFormat.of().formatHex(Sha256.digest().digest(bytes));
    }

    private JarCache.Download serving(byte[] content) {
        return target -> {
            downloads.incrementAndGet();
            Files.write(target, content);
        };
    }

    @Test
    public void aVerifiedDownloadIsKeptAndNotFetchedAgain() throws Exception {
        Path jar = cache.fetch(sha, bytes.length, serving(bytes));
        assertEquals(cache.directory().resolve(sha + ".jar"), jar);
        assertArrayEquals(bytes, Files.readAllBytes(jar));
        assertEquals(jar, cache.fetch(sha, bytes.length, serving(bytes)));
        assertEquals(1, downloads.get());
        assertEquals(Optional.of(jar), cache.verified(sha));
    }

    @Test
    public void otherBytesAreRefusedAndNotKept() throws Exception {
        byte[] other = "the bytes of another jar".getBytes(StandardCharsets.UTF_8);
        try {
            cache.fetch(sha, -1, serving(other));
            fail("other bytes must not pass");
        } catch (SyncFailure e) {
            assertEquals("wrong hash: the downloaded bytes have sha256 "
                    + HexFormat.of().formatHex(Sha256.digest().digest(other)) + ", the snapshot says " + sha,
                    e.getMessage());
        }
        try {
            cache.fetch(sha, bytes.length, serving(other));
            fail("another size must not pass");
        } catch (SyncFailure e) {
            assertEquals("wrong size: downloaded " + other.length + " bytes, the snapshot says " + bytes.length,
                    e.getMessage());
        }
        try (var files = Files.list(cache.directory())) {
            assertEquals("nothing is left in the cache", 0, files.count());
        }
    }

    @Test
    public void aFailedDownloadSaysWhy() throws Exception {
        try {
            cache.fetch(sha, bytes.length, target -> {
                throw new IOException("instance http://127.0.0.1:1 answered 404: No file with sha256 " + sha);
            });
            fail();
        } catch (SyncFailure e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("download failed: instance http://127.0.0.1:1 answered 404"));
        }
        try {
            cache.fetch("not-a-hash", 1, serving(bytes));
            fail();
        } catch (SyncFailure e) {
            assertEquals("the snapshot's sha256 'not-a-hash' is not 64 hex digits", e.getMessage());
        }
    }

    @Test
    public void aCachedFileDamagedOnDiskIsDeletedAndFetchedAgain() throws Exception {
        Path jar = cache.fetch(sha, bytes.length, serving(bytes));
        Files.writeString(jar, "damaged");
        assertEquals(Optional.empty(), cache.verified(sha));
        assertFalse(Files.exists(jar));
        cache.fetch(sha, bytes.length, serving(bytes));
        assertEquals(2, downloads.get());
    }

    @Test
    public void pruneKeepsOnlyWhatIsStillUsed() throws Exception {
        byte[] other = "second".getBytes(StandardCharsets.UTF_8);
        String otherSha = HexFormat.of().formatHex(Sha256.digest().digest(other));
        cache.fetch(sha, -1, serving(bytes));
        cache.fetch(otherSha, -1, serving(other));
        Files.writeString(cache.directory().resolve("." + sha + ".part"), "left over");
        cache.prune(Set.of(otherSha));
        try (var files = Files.list(cache.directory())) {
            assertEquals(Set.of(otherSha + ".jar"),
                    Set.copyOf(files.map(f -> f.getFileName().toString()).toList()));
        }
    }
}
