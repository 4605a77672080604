package io.midway.agent.internal.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.wire.Json;

/**
 * Reads and writes {@code state.json}:
 *
 * <pre>
 * {"revision":"7","state":"applied",
 *  "files":{"io.midway.testing.echo":{"sha256":"…","version":"2.0.0","kind":"probe"}}}
 * </pre>
 *
 * Written to a temporary file and renamed, so a crash never leaves half a file. A file that
 * cannot be read is moved aside to {@code state.json.unreadable} and sync starts from nothing:
 * the bundles it installed are then updated from the snapshot.
 */
public final class SyncStateStore {

    private static final Logger LOG = LoggerFactory.getLogger(SyncStateStore.class);

    private final ObjectMapper mapper = Json.mapper();
    private final Path file;

    /**
     * @param file the state file, e.g. {@code <midway.data>/sync/state.json}
     */
    public SyncStateStore(Path file) {
        this.file = file;
    }

    /** @return the state file */
    public Path file() {
        return file;
    }

    /** @return the state kept, or {@link SyncState#EMPTY} when there is none or it is unreadable */
    public SyncState load() {
        if (!Files.isRegularFile(file)) {
            return SyncState.EMPTY;
        }
        try {
            JsonNode root = mapper.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new IOException("not a JSON object");
            }
            Map<String, SyncState.Installed> files = new LinkedHashMap<>();
            JsonNode entries = root.path("files");
            for (Map.Entry<String, JsonNode> entry : entries.properties()) {
                JsonNode f = entry.getValue();
                String sha = text(f, "sha256");
                if (!Sha256.isValid(sha)) {
                    throw new IOException("entry " + entry.getKey() + " has no valid sha256");
                }
                files.put(entry.getKey(), new SyncState.Installed(sha, text(f, "version"), text(f, "kind")));
            }
            return new SyncState(text(root, "revision"), text(root, "state"), files);
        } catch (IOException e) {
            Path aside = file.resolveSibling(file.getFileName() + ".unreadable");
            LOG.warn("Sync state {} is unreadable ({}); moved to {} and starting from nothing", file, e.getMessage(),
                    aside.getFileName());
            try {
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailure) {
                LOG.warn("Cannot move {} aside: {}", file, moveFailure.getMessage());
            }
            return SyncState.EMPTY;
        }
    }

    /**
     * @param state the state to keep
     * @throws IOException when it cannot be written
     */
    public void save(SyncState state) throws IOException {
        ObjectNode root = mapper.createObjectNode();
        root.put("revision", state.revision());
        root.put("state", state.state());
        ObjectNode files = root.putObject("files");
        state.files().forEach((name, installed) -> {
            ObjectNode f = files.putObject(name);
            f.put("sha256", installed.sha256());
            f.put("version", installed.version());
            f.put("kind", installed.kind());
        });
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        mapper.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
