package io.midway.logging.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;

/**
 * What bundles and libraries print to {@code System.out} or {@code System.err} (stack traces,
 * banners) goes to the log, line by line, instead of over the shell's prompt. Gogo's own output
 * does not pass here: its sessions write to the terminal.
 */
final class StdStreamLog extends OutputStream {

    private static final int MAX_LINE = 16 * 1024;

    private final String logger;
    private final LogLevel level;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final Charset charset;

    StdStreamLog(String logger, LogLevel level, Charset charset) {
        this.logger = logger;
        this.level = level;
        this.charset = charset;
    }

    static PrintStream stream(String logger, LogLevel level) {
        Charset charset = Charset.defaultCharset();
        return new PrintStream(new StdStreamLog(logger, level, charset), true, charset);
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            emit();
        } else if (b != '\r' && line.size() < MAX_LINE) {
            line.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    @Override
    public synchronized void flush() {
        // a line is logged when it ends; a partial line waits for its end
    }

    private void emit() {
        String text = line.toString(charset);
        line.reset();
        if (!text.isBlank()) {
            // Lines of one stack trace differ; the template is the line so that repeats are limited.
            LogBook.get().log(level, logger, text, text, null, null, null);
        }
    }
}
