package io.midway.testing.probe;

import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.URL;
import java.util.Map;

import org.junit.Test;

public class MidwayPaxExamTest {

    @Test
    public void findsTheRuntimeBundlesOnTheClassPathByTheirSymbolicNames() {
        Map<String, URL> bundles = MidwayPaxExam.bundlesOnClassPath();
        for (String name : MidwayPaxExam.LOGGING) {
            assertTrue(name + " in " + bundles.keySet(), bundles.containsKey(name));
        }
        for (String name : MidwayPaxExam.RUNTIME) {
            // This module's own bundle is target/classes here, a folder, not a jar.
            if (!name.equals("io.midway.testing.probe")) {
                assertTrue(name + " in " + bundles.keySet(), bundles.containsKey(name));
                assertTrue(bundles.get(name).toString(), bundles.get(name).toString().matches("file:.*\\.jar"));
            }
        }
    }

    @Test
    public void aMissingBundleIsExplained() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MidwayPaxExam.bundleOnClassPath("com.example.nothing"));
        assertTrue(e.getMessage(), e.getMessage().contains("com.example.nothing is not on the test class path"));
    }
}
