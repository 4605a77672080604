package io.midway.agent.internal.lifecycle;

import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class NativeHeapTest {

    @Test
    public void thisJvmTrimsItsNativeHeapWhenAsked() {
        // JDK 17 on Linux with glibc, as the agent runs: the JVM's System.trim_native_heap answers
        assertTrue("the diagnostic command System.trim_native_heap ran", NativeHeap.trim());
        assertTrue("and runs again", NativeHeap.trim());
    }
}
