package io.midway.agent.internal.lifecycle;

/**
 * Gives heap back to the system after a burst of work. The agent's serial collector (bin/agent)
 * grows the heap under load and shrinks it, to {@code MaxHeapFreeRatio}, only on a full
 * collection, which an idle agent never has: without one, an agent that once ran a burst of work
 * keeps that heap for good. One full collection when the burst is over (a few tens of milliseconds
 * for the agent's heap, on a thread with nothing else to do) brings it back down.
 */
public final class IdleHeap {

    /** The results of a burst worth a collection: fewer leave little heap to give back. */
    public static final int BURST_RESULTS = 1000;

    private IdleHeap() {
    }

    /** A full collection now (the JVM's explicit collection, which the serial collector honours). */
    public static void giveBack() {
        System.gc();
    }
}
