package io.midway.jmh;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.midway.instance.api.OutputRequest;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.AgentResults;
import io.midway.instance.api.AgentResult;
import io.midway.instance.api.PollResult;

/**
 * The CPU time of the queue's batch cycle ({@link QueueBenchmark#cycle100}: 100 outputs inserted
 * as an array, claimed by one poll, answered by one input batch), for a machine shared with other
 * work, where JMH's wall-clock times vary more than the change measured: the process's CPU time
 * per item (all its threads: the store's writer and H2's background writer included), over
 * rounds after a warm-up, with the wall time beside it.
 *
 * <pre>
 * java -cp bundles/io.midway.jmh/target/benchmarks.jar io.midway.jmh.QueueCpu [h2|postgresql] [rounds]
 * </pre>
 */
public final class QueueCpu {

    private QueueCpu() {
    }

    /**
     * @param args the engine ({@code h2} by default) and the measured rounds of 100 items (200 by default)
     * @throws Exception when the instance cannot be opened
     */
    public static void main(String[] args) throws Exception {
        String store = args.length > 0 ? args[0] : "h2";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (InstanceUnderTest instance = new InstanceUnderTest(store)) {
            List<OutputRequest> hundred = Collections.nCopies(100, InstanceUnderTest.output("TCPScan"));
            for (int i = 0; i < rounds / 2; i++) {
                cycle(instance, hundred);
            }
            for (int pass = 1; pass <= 3; pass++) {
                long cpu = os.getProcessCpuTime();
                long wall = System.nanoTime();
                for (int i = 0; i < rounds; i++) {
                    cycle(instance, hundred);
                }
                double items = rounds * 100.0;
                System.out.printf("%s pass %d: %.1f µs CPU/item, %.1f µs wall/item (%d items)%n", store, pass,
                        (os.getProcessCpuTime() - cpu) / 1000.0 / items, (System.nanoTime() - wall) / 1000.0 / items,
                        (long) items);
            }
        }
    }

    private static void cycle(InstanceUnderTest instance, List<OutputRequest> hundred) {
        instance.service.outputs().insertOutputs(hundred);
        PollResult claimed = instance.service.polls().poll(InstanceUnderTest.AGENT, 100);
        List<AgentResult> answers = new ArrayList<>(100);
        for (QueueRecord leased : claimed.result()) {
            answers.add(new AgentResult(leased.sysId(), null, null, null, null, QueueRecord.STATE_PROCESSED, null));
        }
        if (answers.size() != 100 || instance.service.polls().input(new AgentResults(answers)).size() != 100) {
            throw new IllegalStateException("claimed " + answers.size() + " of 100");
        }
    }
}
