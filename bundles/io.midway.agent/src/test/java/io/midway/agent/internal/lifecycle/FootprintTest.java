package io.midway.agent.internal.lifecycle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

public class FootprintTest {

    private static final long MB = 1024 * 1024;

    @Test
    public void thisJvmTrimsItsNativeHeapWhenAsked() {
        // JDK 17 on Linux with glibc, as the agent runs: the JVM's System.trim_native_heap answers
        assertTrue("the diagnostic command System.trim_native_heap ran", Footprint.trimNativeHeap());
        assertTrue("and runs again", Footprint.trimNativeHeap());
    }

    /**
     * A JVM with bin/agent's own flags (read from the script) releases nothing while its heap has
     * its initial size; it grows its heap for a burst, and once the burst's objects are gone, one
     * release gives the heap back, the first time.
     */
    @Test
    public void theHeapABurstGrewGoesBackAtOnceWithTheAgentsFlags() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(agentJvmFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Burst.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue("the burst ended", p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(out, 0, p.exitValue());
        Matcher m = Pattern.compile("grown (\\d+) released (\\d+)").matcher(out);
        assertTrue(out, m.find());
        long grown = Long.parseLong(m.group(1));
        long released = Long.parseLong(m.group(2));
        assertTrue("no collection while the heap has not grown: " + out, out.contains("before the burst: not collected"));
        assertTrue("the burst grew the heap: " + out, grown >= 64 * MB);
        assertTrue("the heap went back to the start's 24 MB, not a step of the way: " + out, released <= 32 * MB);
    }

    /** MIDWAY_AGENT_JVM_FLAGS's default in bin/agent. */
    private static List<String> agentJvmFlags() throws Exception {
        Path script = Path.of("..", "..", "distribution", "src", "main", "dist", "bin", "agent");
        assertTrue("bin/agent at " + script.toAbsolutePath(), Files.isRegularFile(script));
        Matcher m = Pattern.compile("MIDWAY_AGENT_JVM_FLAGS=\\$\\{MIDWAY_AGENT_JVM_FLAGS:-\"([^\"]+)\"}")
                .matcher(Files.readString(script));
        assertTrue("bin/agent sets MIDWAY_AGENT_JVM_FLAGS's default", m.find());
        List<String> flags = Arrays.asList(m.group(1).trim().split("\\s+"));
        assertTrue("bin/agent shrinks the heap in one step: " + flags, flags.contains("-XX:-ShrinkHeapInSteps"));
        return flags;
    }

    /** Keeps 80 MB alive, lets it go, and releases. */
    public static final class Burst {
        public static void main(String[] args) {
            System.out.println("before the burst: " + (Footprint.release() ? "collected" : "not collected"));
            List<byte[]> kept = new ArrayList<>();
            for (int i = 0; i < 80; i++) {
                kept.add(new byte[(int) MB]);
            }
            long grown = Runtime.getRuntime().totalMemory();
            kept.clear();
            boolean collected = Footprint.release();
            System.out.println("grown " + grown + " released " + Runtime.getRuntime().totalMemory()
                    + (collected ? "" : " (not collected)"));
        }
    }
}
