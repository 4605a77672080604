package io.midway.agent.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.wire.InputRecord;
import io.midway.wire.Json;

/**
 * Results waiting for the instance, one small JSON file per result in the spool directory. A
 * result is written here before it is sent, so nothing is lost when the instance is unreachable
 * or the agent stops. Files are written to a temporary name, flushed and renamed, so a reader
 * never sees half a file; names sort in the order the results were made. Results the instance
 * rejects as malformed go to {@code rejected/} with a {@code .reason.txt} beside them.
 */
public final class ResultSpool {

    private static final Logger LOG = LoggerFactory.getLogger(ResultSpool.class);
    private static final String SUFFIX = ".json";
    private static final String TEMP_PREFIX = ".";
    /** Directory of results the instance refused. */
    public static final String REJECTED = "rejected";

    private final Path dir;
    private final AtomicLong sequence = new AtomicLong();

    /**
     * Opens the spool, creating the directory, and removes temporary files a crash left behind.
     *
     * @param dir the spool directory
     * @throws IOException when the directory cannot be created or read
     */
    public ResultSpool(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, TEMP_PREFIX + "*.tmp")) {
            for (Path leftover : stream) {
                Files.deleteIfExists(leftover);
            }
        }
    }

    /** @return the spool directory */
    public Path directory() {
        return dir;
    }

    /**
     * Writes a result durably.
     *
     * @param result the result
     * @return the file written
     * @throws IOException when it cannot be written
     */
    public Path write(InputRecord result) throws IOException {
        byte[] json = Json.mapper().writeValueAsBytes(result);
        String name = String.format("%013d-%06d-%s", System.currentTimeMillis(),
                sequence.incrementAndGet() % 1_000_000, safe(result.responseTo())) + SUFFIX;
        Path target = dir.resolve(name);
        Path temp = dir.resolve(TEMP_PREFIX + name + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(json);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /**
     * @param max most files to list
     * @return the oldest waiting result files, oldest first
     * @throws IOException when the directory cannot be read
     */
    public List<Path> oldest(int max) throws IOException {
        List<Path> files = list();
        return files.size() <= max ? files : files.subList(0, max);
    }

    /**
     * @return how many results wait; 0 when the directory cannot be read
     */
    public int count() {
        try {
            return list().size();
        } catch (IOException e) {
            LOG.warn("Cannot read the spool directory {}: {}", dir, e.toString());
            return 0;
        }
    }

    /**
     * @param file a spooled result file
     * @return the result
     * @throws IOException when it cannot be read or is not a result
     */
    public InputRecord read(Path file) throws IOException {
        return Json.mapper().readValue(Files.readAllBytes(file), InputRecord.class);
    }

    /**
     * Removes a result the instance accepted.
     *
     * @param file a spooled result file
     * @throws IOException when it cannot be deleted
     */
    public void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    /**
     * Moves a result the instance will never accept to {@code rejected/}, with the reason beside it.
     *
     * @param file a spooled result file
     * @param reason why, for the operator
     * @return where it went
     * @throws IOException when it cannot be moved
     */
    public Path reject(Path file, String reason) throws IOException {
        Path rejected = Files.createDirectories(dir.resolve(REJECTED));
        Path target = rejected.resolve(file.getFileName());
        try {
            Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            return target;
        }
        Files.writeString(rejected.resolve(file.getFileName() + ".reason.txt"), reason + System.lineSeparator(),
                StandardCharsets.UTF_8);
        return target;
    }

    private List<Path> list() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : stream) {
                if (!file.getFileName().toString().startsWith(TEMP_PREFIX) && Files.isRegularFile(file)) {
                    files.add(file);
                }
            }
        } catch (NoSuchFileException e) {
            return files;
        }
        files.sort(null);
        return files;
    }

    /** The sys_id as a file-name part: letters, digits, {@code -} and {@code _} only, not too long. */
    private static String safe(String id) {
        if (id == null || id.isEmpty()) {
            return "none";
        }
        StringBuilder out = new StringBuilder();
        for (char c : id.toCharArray()) {
            out.append(Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_' ? c : '_');
            if (out.length() == 64) {
                break;
            }
        }
        return out.toString();
    }
}
