package io.midway.itests;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * Polls a condition until it holds or a deadline passes; never a fixed sleep. On timeout it fails
 * with what was asked and the last value seen, so a red test says what went wrong.
 */
public final class Await {

    /** How long the tests wait for the system to reach a state, generous for a loaded 2-core machine. */
    public static final Duration DEFAULT = Duration.ofSeconds(20);

    private static final long PAUSE_MS = 50;

    /** A value to look at, which may fail while the system is still on its way. */
    @FunctionalInterface
    public interface Source<T> {
        /**
         * @return the current value
         * @throws Exception when it cannot be read now
         */
        T get() throws Exception;
    }

    private Await() {
    }

    /**
     * @param what what is awaited, for the failure message
     * @param source reads the current value
     * @param done whether the value is the awaited one
     * @param <T> the value type
     * @return the first value for which {@code done} holds
     * @throws AssertionError when the default deadline passes first
     */
    public static <T> T until(String what, Source<T> source, Predicate<? super T> done) {
        return until(what, DEFAULT, source, done);
    }

    /**
     * @param what what is awaited, for the failure message
     * @param timeout how long to wait
     * @param source reads the current value
     * @param done whether the value is the awaited one
     * @param <T> the value type
     * @return the first value for which {@code done} holds
     * @throws AssertionError when the deadline passes first
     */
    public static <T> T until(String what, Duration timeout, Source<T> source, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        Exception lastError = null;
        while (true) {
            try {
                last = source.get();
                lastError = null;
                if (done.test(last)) {
                    return last;
                }
            } catch (Exception e) {
                lastError = e;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError failure = new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting for "
                        + what + "; last seen: " + (lastError != null ? lastError : last));
                if (lastError != null) {
                    failure.initCause(lastError);
                }
                throw failure;
            }
            try {
                Thread.sleep(PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }
}
