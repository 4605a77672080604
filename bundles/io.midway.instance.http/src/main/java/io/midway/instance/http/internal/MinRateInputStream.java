package io.midway.instance.http.internal;

import java.io.IOException;
import java.util.function.LongSupplier;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;

/**
 * A request body that must arrive at a minimum average rate once a grace time has passed; a
 * slower one fails with {@link SlowBodyException} at its next read. (A body that stops altogether
 * blocks a read until the HTTP idle timeout, {@code org.apache.felix.http.timeout}, cuts it.)
 */
final class MinRateInputStream extends ServletInputStream {

    private final ServletInputStream in;
    private final long minBytesPerSecond;
    private final long graceMillis;
    private final LongSupplier clock;
    private final long start;
    private long received;

    /**
     * @param in the body
     * @param minBytesPerSecond the minimum average rate, 0 for none
     * @param graceMillis how long the body may take before the rate is checked
     * @param clock milliseconds
     */
    MinRateInputStream(ServletInputStream in, long minBytesPerSecond, long graceMillis, LongSupplier clock) {
        this.in = in;
        this.minBytesPerSecond = minBytesPerSecond;
        this.graceMillis = graceMillis;
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    @Override
    public int read() throws IOException {
        check();
        int b = in.read();
        if (b >= 0) {
            received++;
        }
        check();
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        check();
        int n = in.read(buffer, offset, length);
        if (n > 0) {
            received += n;
        }
        if (n >= 0) {
            check();
        }
        return n;
    }

    private void check() throws SlowBodyException {
        if (minBytesPerSecond <= 0 || in.isFinished()) {
            return;
        }
        long elapsed = clock.getAsLong() - start;
        if (elapsed > graceMillis && received * 1000 < minBytesPerSecond * elapsed) {
            throw new SlowBodyException("the request body arrives too slowly: " + received + " bytes in " + elapsed
                    + " ms, at least " + minBytesPerSecond + " bytes/s are required");
        }
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    @Override
    public boolean isFinished() {
        return in.isFinished();
    }

    @Override
    public boolean isReady() {
        return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
        in.setReadListener(listener);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
