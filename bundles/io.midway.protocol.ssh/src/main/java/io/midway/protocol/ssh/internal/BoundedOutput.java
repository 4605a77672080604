package io.midway.protocol.ssh.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Keeps the first bytes of a command's output stream, up to a limit; the first byte past it marks
 * the output truncated and calls the overflow action once (which stops the command).
 */
final class BoundedOutput extends OutputStream {

    private final int limit;
    private final Runnable onOverflow;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private boolean truncated;

    /**
     * @param limit how many bytes to keep
     * @param onOverflow called once, on the first byte past the limit
     */
    BoundedOutput(int limit, Runnable onOverflow) {
        this.limit = limit;
        this.onOverflow = onOverflow;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        boolean overflowNow;
        synchronized (this) {
            int room = limit - kept.size();
            kept.write(bytes, offset, Math.min(room, length));
            overflowNow = length > room && !truncated;
            if (length > room) {
                truncated = true;
            }
        }
        if (overflowNow) {
            onOverflow.run();
        }
    }

    /** @return a copy of the bytes kept */
    synchronized byte[] bytes() {
        return Arrays.copyOf(kept.toByteArray(), kept.size());
    }

    /** @return whether more bytes came than the limit */
    synchronized boolean truncated() {
        return truncated;
    }
}
