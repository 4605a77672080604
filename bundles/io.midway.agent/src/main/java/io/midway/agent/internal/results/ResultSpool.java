package io.midway.agent.internal.results;

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
 * Results waiting for the instance, small JSON files in the spool directory: one result, or a
 * group of results written together (a JSON array, its size in the file name:
 * {@code …-batch.<n>.json}), so that one write and one flush to disk serve many results. A result
 * is written here before it is sent, so nothing is lost when the instance is unreachable or the
 * agent stops. Files are written to a temporary name, flushed and renamed, so a reader never sees
 * half a file; names sort in the order the results were made. Results the instance rejects as
 * malformed go to {@code rejected/} with a {@code .reason.txt} beside them.
 */
public final class ResultSpool {

    private static final Logger LOG = LoggerFactory.getLogger(ResultSpool.class);
    private static final String SUFFIX = ".json";
    private static final String TEMP_PREFIX = ".";
    /** Names a group file: {@code <time>-<sequence>-batch.<count>.json}; no sys_id part has a dot. */
    private static final java.util.regex.Pattern GROUP = java.util.regex.Pattern.compile("-batch\\.(\\d+)\\.json$");
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
        return write(Json.mapper().writeValueAsBytes(result), safe(result.responseTo()) + SUFFIX);
    }

    /**
     * Writes several results durably into one file: one write and one flush for all of them.
     *
     * @param results the results, at least one
     * @return the file written
     * @throws IOException when it cannot be written
     */
    public Path write(List<InputRecord> results) throws IOException {
        if (results.size() == 1) {
            return write(results.get(0));
        }
        return write(Json.mapper().writeValueAsBytes(results), "batch." + results.size() + SUFFIX);
    }

    private Path write(byte[] json, String suffix) throws IOException {
        String name = String.format("%013d-%06d-", System.currentTimeMillis(), sequence.incrementAndGet() % 1_000_000)
                + suffix;
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
     * @return how many results wait (the files hold); 0 when the directory cannot be read
     */
    public int count() {
        try {
            int records = 0;
            for (Path file : list()) {
                records += records(file);
            }
            return records;
        } catch (IOException e) {
            LOG.warn("Cannot read the spool directory {}: {}", dir, e.toString());
            return 0;
        }
    }

    /**
     * @return the {@code response_to} of every waiting result, oldest first: the output records
     *     the agent answered and has not delivered yet (an unreadable file is skipped)
     * @throws IOException when the directory cannot be read
     */
    public List<String> responseTos() throws IOException {
        List<String> ids = new ArrayList<>();
        for (Path file : list()) {
            try {
                for (InputRecord result : readAll(file)) {
                    if (result.responseTo() != null) {
                        ids.add(result.responseTo());
                    }
                }
            } catch (NoSuchFileException e) {
                // delivered meanwhile
            } catch (IOException e) {
                LOG.warn("Spooled result {} is unreadable ({})", file, e.getMessage());
            }
        }
        return ids;
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
     * @param file a spooled file
     * @return the results it holds, in order
     * @throws IOException when it cannot be read or does not hold results
     */
    public List<InputRecord> readAll(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (records(file) == 1) {
            return List.of(Json.mapper().readValue(bytes, InputRecord.class));
        }
        List<InputRecord> results = List.of(Json.mapper().readValue(bytes, InputRecord[].class));
        if (results.size() != records(file)) {
            throw new IOException("it holds " + results.size() + " results where its name says " + records(file));
        }
        return results;
    }

    /**
     * @param file a spooled file
     * @return how many results its name says it holds
     */
    public static int records(Path file) {
        java.util.regex.Matcher m = GROUP.matcher(file.getFileName().toString());
        return m.find() ? Integer.parseInt(m.group(1)) : 1;
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
        return moveToRejected(file, reason);
    }

    /**
     * Sets one result of a group file aside in {@code rejected/}, with the reason beside it; the
     * group file itself stays until {@link #delete(Path) deleted}.
     *
     * @param file the group file
     * @param index the result's place in it
     * @param result the result
     * @param reason why, for the operator
     * @return where it went
     * @throws IOException when it cannot be written
     */
    public Path reject(Path file, int index, InputRecord result, String reason) throws IOException {
        Path rejected = Files.createDirectories(dir.resolve(REJECTED));
        String name = file.getFileName().toString().replaceFirst("\\.json$", "") + "-" + index + "-" + safe(result.responseTo())
                + SUFFIX;
        Files.write(rejected.resolve(name), Json.mapper().writeValueAsBytes(result));
        Files.writeString(rejected.resolve(name + ".reason.txt"), reason + System.lineSeparator(), StandardCharsets.UTF_8);
        return rejected.resolve(name);
    }

    private Path moveToRejected(Path file, String reason) throws IOException {
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
