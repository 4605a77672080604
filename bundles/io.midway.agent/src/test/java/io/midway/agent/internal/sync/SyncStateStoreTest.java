package io.midway.agent.internal.sync;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.wire.Json;

public class SyncStateStoreTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static final String A = "0123456789abcdef".repeat(4);

    @Test
    public void noFileIsNothingSyncedYet() {
        SyncStateStore store = new SyncStateStore(tmp.getRoot().toPath().resolve("sync/state.json"));
        assertEquals(SyncState.EMPTY, store.load());
    }

    @Test
    public void roundTripInTheDocumentedShape() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("sync/state.json");
        SyncStateStore store = new SyncStateStore(file);
        SyncState state = new SyncState("7", "failed",
                Map.of("io.midway.testing.echo", new SyncState.Installed(A, "2.0.0", "probe")));
        store.save(state);
        assertEquals(state, new SyncStateStore(file).load());

        JsonNode json = Json.mapper().readTree(file.toFile());
        assertEquals("7", json.path("revision").asText());
        assertEquals("failed", json.path("state").asText());
        assertEquals(A, json.path("files").path("io.midway.testing.echo").path("sha256").asText());
        assertEquals("2.0.0", json.path("files").path("io.midway.testing.echo").path("version").asText());
        assertEquals("probe", json.path("files").path("io.midway.testing.echo").path("kind").asText());
        try (var files = Files.list(file.getParent())) {
            assertEquals("no temporary file is left", 1, files.count());
        }
    }

    @Test
    public void anUnreadableFileIsMovedAsideAndSyncStartsFromNothing() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("state.json");
        Files.writeString(file, "{\"revision\":\"3\",\"files\":{\"x\":{\"sha256\":\"nope\"}}}");
        assertEquals(SyncState.EMPTY, new SyncStateStore(file).load());
        assertFalse(Files.exists(file));
        assertTrue(Files.exists(tmp.getRoot().toPath().resolve("state.json.unreadable")));

        Files.writeString(file, "{not json");
        assertEquals(SyncState.EMPTY, new SyncStateStore(file).load());
    }
}
