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
 * rounds after a warm-up, with the wall time beside it. With {@code one} as third argument, the
 * shape of {@code bin/bench}'s ecc_latency instead ({@link QueueBenchmark#insertClaimAck}): each
 * item inserted alone, claimed by a poll and answered alone, three transactions per item.
 *
 * <pre>
 * java -cp bundles/io.midway.jmh/target/benchmarks.jar io.midway.jmh.QueueCpu [h2|postgresql] [rounds] [one]
 * </pre>
 */
public final class QueueCpu {

    private QueueCpu() {
    }

    /**
     * @param args the engine ({@code h2} by default), the measured rounds of 100 items (200 by
     *        default), {@code one} for one item per transaction
     * @throws Exception when the instance cannot be opened
     */
    public static void main(String[] args) throws Exception {
        String store = args.length > 0 ? args[0] : "h2";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        boolean one = args.length > 2 && "one".equals(args[2]);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (InstanceUnderTest instance = new InstanceUnderTest(store)) {
            List<OutputRequest> hundred = Collections.nCopies(100, InstanceUnderTest.output("TCPScan"));
            for (int i = 0; i < rounds / 2; i++) {
                cycle(instance, hundred, one);
            }
            for (int pass = 1; pass <= 3; pass++) {
                long cpu = os.getProcessCpuTime();
                long wall = System.nanoTime();
                for (int i = 0; i < rounds; i++) {
                    cycle(instance, hundred, one);
                }
                double items = rounds * 100.0;
                System.out.printf("%s%s pass %d: %.1f µs CPU/item, %.1f µs wall/item (%d items)%n", store, one ? " (one per transaction)" : "", pass,
                        (os.getProcessCpuTime() - cpu) / 1000.0 / items, (System.nanoTime() - wall) / 1000.0 / items,
                        (long) items);
            }
        }
    }

    private static void cycle(InstanceUnderTest instance, List<OutputRequest> hundred, boolean one) {
        if (one) {
            for (OutputRequest request : hundred) {
                QueueRecord output = instance.service.outputs().insertOutput(request);
                PollResult claimed = instance.service.polls().poll(InstanceUnderTest.AGENT, 1);
                if (claimed.result().size() != 1 || !claimed.result().get(0).sysId().equals(output.sysId())) {
                    throw new IllegalStateException("claimed " + claimed.result() + ", inserted " + output.sysId());
                }
                instance.service.polls().input(new AgentResults(List.of(new AgentResult(output.sysId(), null, null, null,
                        null, QueueRecord.STATE_PROCESSED, null))));
            }
            return;
        }
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
