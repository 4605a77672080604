package io.midway.jmh;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import io.midway.instance.api.InputResult;
import io.midway.instance.api.OutputRequest;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.AgentResults;
import io.midway.instance.api.AgentResult;
import io.midway.instance.api.PollResult;

/**
 * The ECC queue on the real store: insert an output, claim it (lease by poll), acknowledge it
 * (post its input); inserting 100 outputs one by one against one array insert; and the whole
 * cycle by batches of 100 (one array insert, one poll claiming the 100, one input batch of 100
 * answers), the path {@code bin/bench}'s ecc_throughput takes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class QueueBenchmark {

    /** The engine: {@code h2} (the default) or {@code postgresql} ({@code -p store=postgresql}). */
    @Param({"h2"})
    public String store;

    private InstanceUnderTest instance;
    private OutputRequest one;
    private List<OutputRequest> hundred;

    /** Opens a fresh database per trial. */
    @Setup
    public void open() throws IOException {
        instance = new InstanceUnderTest(store);
        one = InstanceUnderTest.output("TCPScan");
        hundred = Collections.nCopies(100, one);
    }

    /** Closes and deletes the database. */
    @TearDown
    public void close() throws IOException {
        instance.close();
    }

    /** @return one output record inserted (one transaction) */
    @Benchmark
    public QueueRecord insertOne() {
        return instance.service.outputs().insertOutput(one);
    }

    /** @return the input of an output that was inserted, claimed and acknowledged (three transactions) */
    @Benchmark
    public List<InputResult> insertClaimAck() {
        QueueRecord output = instance.service.outputs().insertOutput(one);
        PollResult claimed = instance.service.polls().poll(InstanceUnderTest.AGENT, 1);
        QueueRecord leased = claimed.result().get(0);
        if (!leased.sysId().equals(output.sysId())) {
            throw new IllegalStateException("claimed " + leased.sysId() + ", inserted " + output.sysId());
        }
        return instance.service.polls().input(new AgentResults(List.of(new AgentResult(leased.sysId(), null, null, null, null,
                QueueRecord.STATE_PROCESSED, null))));
    }

    /** @return the last of 100 outputs inserted one by one (100 transactions); claims them so the queue stays short */
    @Benchmark
    public PollResult insert100OneByOne() {
        for (OutputRequest request : hundred) {
            instance.service.outputs().insertOutput(request);
        }
        return instance.service.polls().poll(InstanceUnderTest.AGENT, 100);
    }

    /** @return 100 outputs inserted as one array (one transaction); claims them so the queue stays short */
    @Benchmark
    public PollResult insert100AsArray() {
        instance.service.outputs().insertOutputs(hundred);
        return instance.service.polls().poll(InstanceUnderTest.AGENT, 100);
    }

    /**
     * @return the inputs of 100 outputs inserted as one array, claimed by one poll and answered by
     *     one input batch (three transactions for 100 items)
     */
    @Benchmark
    public List<InputResult> cycle100() {
        instance.service.outputs().insertOutputs(hundred);
        PollResult claimed = instance.service.polls().poll(InstanceUnderTest.AGENT, 100);
        if (claimed.result().size() != 100) {
            throw new IllegalStateException("claimed " + claimed.result().size() + " of 100");
        }
        List<AgentResult> answers = new java.util.ArrayList<>(100);
        for (QueueRecord leased : claimed.result()) {
            answers.add(new AgentResult(leased.sysId(), null, null, null, null, QueueRecord.STATE_PROCESSED, null));
        }
        return instance.service.polls().input(new AgentResults(answers));
    }
}
