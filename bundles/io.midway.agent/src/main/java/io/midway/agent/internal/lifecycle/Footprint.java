package io.midway.agent.internal.lifecycle;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives back what a burst of work made the agent's JVM hold, once the burst is over: the Java heap
 * the young and old generations grew to, and the C heap that malloc kept (the compiler's arenas,
 * I/O buffers). Called when work ends, on a thread that ends anyway.
 * <ul>
 * <li>The Java heap, when the work grew it: one full collection ({@link System#gc()}), after which the serial collector
 * shrinks each generation to what its live objects need within the free ratios. {@code bin/agent}
 * runs the JVM with {@code -XX:-ShrinkHeapInSteps}, so that the first such collection after a
 * growth gives it all back (by default it gives back nothing the first time, then 10 %, 40 %,
 * 100 % on the following ones). An agent between bursts otherwise never has a full collection and
 * keeps the heap of its busiest moment. The pause is that of a collection of a ~30 MB heap (about
 * 25 ms), taken when no result has been made for a while.</li>
 * <li>The C heap: the JVM's {@code System.trim_native_heap} diagnostic command (glibc's
 * {@code malloc_trim}), the same as {@code jcmd PID System.trim_native_heap}, instead of the JVM's
 * own trimmer ({@code -XX:TrimNativeHeapInterval}), which keeps a thread of its own and which
 * older JDK 17 builds do not know. Best effort: where the command is missing (another C library,
 * an older JDK) nothing happens, and it is not tried again.</li>
 * </ul>
 */
public final class Footprint {

    private static final Logger LOG = LoggerFactory.getLogger(Footprint.class);
    private static final AtomicBoolean NO_TRIM = new AtomicBoolean();
    /** the heap committed after the last collection here: more than this is what work grew */
    private static final AtomicLong HEAP_HELD = new AtomicLong();

    private Footprint() {
    }

    /**
     * Work is over: the Java heap, when the work grew it (beyond its initial size and beyond what
     * it held after the last release), then the C heap, go back to what they need. An agent that
     * answers an item now and then, within the heap it holds, runs no full collection for it.
     *
     * @return whether the Java heap was collected
     */
    public static boolean release() {
        long t0 = System.nanoTime();
        Runtime runtime = Runtime.getRuntime();
        long before = runtime.totalMemory();
        boolean grown = before > Math.max(HEAP_HELD.get(), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getInit());
        if (grown) {
            System.gc();
            HEAP_HELD.set(runtime.totalMemory());
        }
        boolean trimmed = trimNativeHeap();
        LOG.debug("Work is over: Java heap {} -> {} KB committed{}{} in {} ms", before / 1024,
                runtime.totalMemory() / 1024, grown ? " (collected)" : "", trimmed ? ", C heap trimmed," : "",
                (System.nanoTime() - t0) / 1_000_000);
        return grown;
    }

    /** @return whether the C heap was trimmed (the JVM ran the command) */
    static boolean trimNativeHeap() {
        if (NO_TRIM.get()) {
            return false;
        }
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            Object answer = server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "systemTrimNativeHeap", new Object[0], new String[0]);
            LOG.debug("Native heap trimmed: {}", answer == null ? "" : answer.toString().strip());
            return true;
        } catch (JMException | RuntimeException | LinkageError e) {
            NO_TRIM.set(true);
            LOG.debug("This JVM cannot trim its native heap ({}); not tried again", e.toString());
            return false;
        }
    }
}
