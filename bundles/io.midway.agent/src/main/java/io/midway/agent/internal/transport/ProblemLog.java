package io.midway.agent.internal.transport;

import java.io.IOException;
import java.util.Objects;
import java.util.function.Function;

import org.slf4j.Logger;

/**
 * An exchange with the instance on a fetcher's own thread ({@link ConfigFetcher},
 * {@link CredentialFetcher}) and the problem it last logged: a failure becomes one line, logged
 * once per distinct message (the next poll reply tries again, and a failure that repeats is not
 * logged at every poll). Not thread-safe: the owner calls {@link #failed} and {@link #cleared}
 * under its lock.
 */
final class ProblemLog {

    /** An exchange with the instance. */
    interface Exchange {
        void run() throws IOException, InterruptedException;
    }

    private final Logger log;
    private String last;

    /** @param log the owner's logger */
    ProblemLog(Logger log) {
        this.log = log;
    }

    /**
     * Runs the exchange.
     *
     * @param exchange what to do
     * @param unreachable the line for an {@link IOException}, given its message (or the exception
     *     itself when it has none)
     * @param broken the line for a {@link RuntimeException}
     * @return {@code null} when it went through, {@code ""} when interrupted (nothing to log; the
     *     thread's interrupt is set again), else the line that says what failed
     */
    static String attempt(Exchange exchange, Function<String, String> unreachable,
            Function<RuntimeException, String> broken) {
        try {
            exchange.run();
            return null;
        } catch (IOException e) {
            return unreachable.apply(e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } catch (RuntimeException e) {
            return broken.apply(e);
        }
    }

    /** @param failure a line from {@link #attempt}: logged unless empty or the one logged last */
    void failed(String failure) {
        if (!failure.isEmpty() && !Objects.equals(failure, last)) {
            last = failure;
            log.warn(failure);
        }
    }

    /** The exchange went through: the next failure is logged whatever it says. */
    void cleared() {
        last = null;
    }
}
