package io.midway.instance.store;

import java.util.Collection;
import java.util.function.Consumer;

/**
 * Wake-ups between instance nodes that share one database: a node that made work ready for an
 * agent tells the others, so a long poll of that agent waiting on another node answers at once
 * instead of at its timeout. Only a database server has them (PostgreSQL's LISTEN/NOTIFY); the
 * embedded engine serves one node.
 */
public interface NodeSignals extends AutoCloseable {

    /**
     * Tells every node (this one included) that these agents may have work.
     *
     * @param agents agent names
     */
    void wake(Collection<String> agents);

    /**
     * Starts listening: the wake-ups of every node reach {@code woken}, on a thread of its own.
     *
     * @param woken called with an agent name
     */
    void listen(Consumer<String> woken);

    /** Stops listening. */
    @Override
    void close();
}
