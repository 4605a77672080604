package io.midway.probe.command.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads one output stream of a process to its end on its own thread, keeping at most a limit of
 * bytes and discarding the rest, so the process never blocks on a full pipe.
 */
final class OutputCapture {

    private final InputStream in;
    private final int limit;
    private final ByteArrayOutputStream kept;
    private final Thread thread;
    private long total;
    private IOException failure;

    private OutputCapture(InputStream in, int limit, String threadName) {
        this.in = in;
        this.limit = limit;
        this.kept = new ByteArrayOutputStream(Math.min(limit, 8192));
        this.thread = new Thread(this::drain, threadName);
        this.thread.setDaemon(true);
    }

    /**
     * Starts reading {@code in} at once.
     *
     * @param in the stream, read to its end and then closed
     * @param limit the most bytes kept
     * @param threadName name of the reading thread
     * @return the running capture
     */
    static OutputCapture start(InputStream in, int limit, String threadName) {
        OutputCapture capture = new OutputCapture(in, limit, threadName);
        capture.thread.start();
        return capture;
    }

    private void drain() {
        byte[] buffer = new byte[8192];
        try (InputStream stream = in) {
            int n;
            while ((n = stream.read(buffer)) >= 0) {
                synchronized (this) {
                    int keep = (int) Math.max(0, Math.min(n, limit - total));
                    kept.write(buffer, 0, keep);
                    total += n;
                }
            }
        } catch (IOException e) {
            synchronized (this) {
                failure = e;
            }
        }
    }

    /**
     * Waits until the stream has ended.
     *
     * @param millis the longest wait; 0 or less only checks
     * @return whether the stream has ended
     * @throws InterruptedException when interrupted while waiting
     */
    boolean awaitEnd(long millis) throws InterruptedException {
        if (millis > 0) {
            thread.join(millis);
        }
        return !thread.isAlive();
    }

    /** @return whether more bytes came than were kept */
    synchronized boolean truncated() {
        return total > limit;
    }

    /** @return how many bytes the stream delivered in all */
    synchronized long totalBytes() {
        return total;
    }

    /** @return the read error that ended the capture early, or {@code null} */
    synchronized IOException failure() {
        return failure;
    }

    /**
     * The kept bytes as UTF-8 text (malformed input replaced). When the output was cut, a
     * multi-byte character split by the cut is dropped rather than shown broken.
     *
     * @return the text
     */
    synchronized String text() {
        byte[] bytes = kept.toByteArray();
        int length = truncated() ? completeUtf8Length(bytes, bytes.length) : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /**
     * @param bytes UTF-8 bytes
     * @param length how many of them to consider
     * @return {@code length}, less the bytes of a multi-byte sequence cut off at its end
     */
    static int completeUtf8Length(byte[] bytes, int length) {
        // Look back at most 3 bytes for the lead byte of the last sequence.
        for (int back = 1; back <= Math.min(4, length); back++) {
            int b = bytes[length - back] & 0xff;
            if ((b & 0xc0) == 0x80) {
                continue; // continuation byte
            }
            int needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
            return needed > back ? length - back : length;
        }
        return length;
    }
}
