package io.midway.jmh;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import io.midway.instance.api.OutputRequest;
import io.midway.instance.api.PollResult;

/**
 * Long-poll wake-up in-process: a poll waits on an empty queue, an output is inserted for its
 * agent, and the poll completes with it. Measures start of wait → insert → answer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PollWakeBenchmark {

    private InstanceUnderTest instance;
    private OutputRequest one;

    /** Opens a fresh database per trial. */
    @Setup
    public void open() throws IOException {
        instance = new InstanceUnderTest();
        one = InstanceUnderTest.output("TCPScan");
    }

    /** Closes and deletes the database. */
    @TearDown
    public void close() throws IOException {
        instance.close();
    }

    /** @return the answer of the woken poll, holding the inserted record */
    @Benchmark
    public PollResult waitInsertWake() throws InterruptedException, ExecutionException, TimeoutException {
        CompletableFuture<PollResult> poll = instance.service.polls().longPoll(InstanceUnderTest.AGENT, 10, 30_000);
        if (poll.isDone()) {
            throw new IllegalStateException("the queue was not empty: " + poll.join().result().size());
        }
        instance.service.outputs().insertOutput(one);
        PollResult reply = poll.get(10, TimeUnit.SECONDS);
        if (reply.result().size() != 1) {
            throw new IllegalStateException("woken with " + reply.result().size() + " records");
        }
        return reply;
    }
}
