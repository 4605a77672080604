package io.midway.logging.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A log file that never grows past a size: when a write would take it over {@code maxBytes}, the
 * file becomes {@code name.1}, {@code name.1} becomes {@code name.2} and so on, and the oldest of
 * {@code files} is dropped (the MID Server's {@code agent0.log.0}, … in our naming:
 * {@code agent.log}, {@code agent.log.1}, …). One entry longer than the size is cut to it.
 * Not thread-safe: the caller serialises writes.
 */
final class RotatingLogFile implements AutoCloseable {

    private final Path file;
    private final long maxBytes;
    private final int files;
    private OutputStream out;
    private long size;

    /**
     * @param file the current file
     * @param maxBytes the most bytes one file holds
     * @param files how many files are kept in all, the current one included (at least 1)
     */
    RotatingLogFile(Path file, long maxBytes, int files) throws IOException {
        this.file = file;
        this.maxBytes = maxBytes;
        this.files = Math.max(1, files);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        open();
    }

    Path file() {
        return file;
    }

    private void open() throws IOException {
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        size = Files.size(file);
    }

    /** Writes one entry (its lines end with a line break), rotating first when it would not fit. */
    void write(String entry) throws IOException {
        byte[] bytes = entry.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > maxBytes) {
            String cut = "… [entry cut to the log file size]\n";
            byte[] tail = cut.getBytes(StandardCharsets.UTF_8);
            byte[] shorter = new byte[(int) Math.max(0, maxBytes - tail.length)];
            System.arraycopy(bytes, 0, shorter, 0, shorter.length);
            bytes = new byte[shorter.length + tail.length];
            System.arraycopy(shorter, 0, bytes, 0, shorter.length);
            System.arraycopy(tail, 0, bytes, shorter.length, tail.length);
        }
        if (size > 0 && size + bytes.length > maxBytes) {
            rotate();
        }
        out.write(bytes);
        out.flush();
        size += bytes.length;
    }

    private void rotate() throws IOException {
        out.close();
        if (files == 1) {
            Files.delete(file);
        } else {
            Files.deleteIfExists(rotated(files - 1));
            for (int i = files - 2; i >= 1; i--) {
                Path from = rotated(i);
                if (Files.exists(from)) {
                    Files.move(from, rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        }
        open();
    }

    /** @return {@code name.i} next to the file */
    Path rotated(int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
