package io.midway.agent.internal.work;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last lines of a rotated log file ({@code agent.log}, then {@code agent.log.1} when the
 * current file holds fewer lines than asked), never more than a number of bytes: what "grab
 * logs" sends to the instance.
 */
public final class LogTail {

    /**
     * @param lines the last lines, oldest first
     * @param truncated whether the byte bound cut the answer short of the lines asked
     */
    public record Tail(List<String> lines, boolean truncated) {
    }

    private LogTail() {
    }

    /**
     * @param file the current log file
     * @param maxLines how many lines at most
     * @param maxBytes how many bytes of text at most
     * @return the tail; empty when there is no log file
     * @throws IOException when the file cannot be read
     */
    public static Tail read(Path file, int maxLines, int maxBytes) throws IOException {
        Deque<String> out = new ArrayDeque<>();
        int budget = maxBytes;
        boolean truncated = false;
        for (int i = 0; i <= 1 && out.size() < maxLines && budget > 0; i++) {
            Path f = i == 0 ? file : file.resolveSibling(file.getFileName() + "." + i);
            if (!Files.isRegularFile(f)) {
                break;
            }
            boolean wholeFile = Files.size(f) <= budget;
            List<String> lines = lastLines(f, maxLines - out.size(), budget);
            for (int k = lines.size() - 1; k >= 0; k--) {
                int size = lines.get(k).getBytes(StandardCharsets.UTF_8).length + 1;
                if (size > budget) {
                    truncated = true;
                    budget = 0;
                    break;
                }
                budget -= size;
                out.addFirst(lines.get(k));
            }
            if (!wholeFile && out.size() < maxLines) {
                // the byte bound stopped the reading inside this file
                truncated = true;
                budget = 0;
            }
        }
        return new Tail(new ArrayList<>(out), truncated);
    }

    /** @return up to {@code maxLines} last lines of one file, read from at most its last {@code maxBytes} bytes */
    private static List<String> lastLines(Path file, int maxLines, int maxBytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            long from = Math.max(0, length - maxBytes);
            byte[] bytes = new byte[(int) (length - from)];
            raf.seek(from);
            raf.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            List<String> all = new ArrayList<>(List.of(text.split("\n", -1)));
            if (!all.isEmpty() && all.get(all.size() - 1).isEmpty()) {
                all.remove(all.size() - 1);
            }
            if (from > 0 && !all.isEmpty()) {
                all.remove(0); // a partial first line
            }
            return all.size() <= maxLines ? all : all.subList(all.size() - maxLines, all.size());
        }
    }
}
