package io.midway.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.Assert;

/** Polls a condition until a deadline, failing early (with the logs) when a process died. */
final class Wait {

    interface Condition {
        boolean met() throws Exception;
    }

    private Wait() {
    }

    static void until(Duration timeout, String what, Condition condition, MidwayProcess... watch) throws Exception {
        until(timeout, Duration.ofMillis(200), what, condition, watch);
    }

    /**
     * As {@link #until(Duration, String, Condition, MidwayProcess...)}, looking every {@code every}:
     * for a state that lasts only a few hundred milliseconds (a local file, cheap to read).
     */
    static void until(Duration timeout, Duration every, String what, Condition condition, MidwayProcess... watch)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            for (MidwayProcess p : watch) {
                if (p != null && !p.isAlive()) {
                    Assert.fail(p.role + " died while waiting for " + what + "; its log:\n" + tail(p));
                }
            }
            try {
                if (condition.met()) {
                    return;
                }
                last = null;
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(every.toMillis());
        }
        StringBuilder logs = new StringBuilder();
        for (MidwayProcess p : watch) {
            if (p != null) {
                logs.append("\n--- ").append(p.role).append(" log ---\n").append(tail(p));
            }
        }
        Assert.fail("timed out after " + timeout.toSeconds() + " s waiting for " + what
                + (last == null ? "" : " (last error: " + last.getMessage() + ")") + logs);
    }

    static String tail(MidwayProcess p) throws IOException {
        return end(p.output(), 6000);
    }

    /** @return the last {@code chars} characters of a log file, or a line saying it is not there */
    static String tail(Path log, int chars) throws IOException {
        return Files.isRegularFile(log) ? end(Files.readString(log), chars) : "(no " + log + ")";
    }

    private static String end(String text, int chars) {
        return text.length() > chars ? text.substring(text.length() - chars) : text;
    }
}
