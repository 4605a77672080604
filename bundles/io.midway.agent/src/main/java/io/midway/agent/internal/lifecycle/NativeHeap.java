package io.midway.agent.internal.lifecycle;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the C heap that malloc keeps after a burst of work (the compiler's arenas, I/O buffers)
 * back to the system: the JVM's {@code System.trim_native_heap} diagnostic command (glibc's
 * {@code malloc_trim}), the same as {@code jcmd PID System.trim_native_heap}. Called when work
 * ends, on a thread that ends anyway, instead of the JVM's own trimmer ({@code
 * -XX:TrimNativeHeapInterval}), which keeps a thread of its own and which older JDK 17 builds do
 * not know. Best effort: where the command is missing (another C library, an older JDK) nothing
 * happens, and it is not tried again.
 */
public final class NativeHeap {

    private static final Logger LOG = LoggerFactory.getLogger(NativeHeap.class);
    private static final AtomicBoolean UNAVAILABLE = new AtomicBoolean();

    private NativeHeap() {
    }

    /** @return whether the C heap was trimmed (the JVM ran the command) */
    public static boolean trim() {
        if (UNAVAILABLE.get()) {
            return false;
        }
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            Object answer = server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "systemTrimNativeHeap", new Object[0], new String[0]);
            LOG.debug("Native heap trimmed: {}", answer == null ? "" : answer.toString().strip());
            return true;
        } catch (JMException | RuntimeException | LinkageError e) {
            UNAVAILABLE.set(true);
            LOG.debug("This JVM cannot trim its native heap ({}); not tried again", e.toString());
            return false;
        }
    }
}
