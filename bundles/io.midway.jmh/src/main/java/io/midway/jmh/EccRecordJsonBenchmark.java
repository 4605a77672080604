package io.midway.jmh;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.wire.EccRecord;
import io.midway.wire.Json;
import io.midway.wire.PollReply;

/** Record mapping with the shared {@link Json} mapper: one ECC record, and a poll reply of 20. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EccRecordJsonBenchmark {

    private ObjectMapper mapper;
    private EccRecord record;
    private byte[] recordJson;
    private PollReply reply;
    private byte[] replyJson;

    /** Builds a typical output record (a TCP scan with a small payload) and its JSON. */
    @Setup
    public void setUp() throws IOException {
        mapper = Json.mapper();
        ObjectNode payload = mapper.createObjectNode();
        payload.put("host", "127.0.0.1");
        payload.putArray("ports").add(22).add(80).add(443);
        payload.put("timeout_ms", 2000);
        record = new EccRecord("0123456789abcdef0123456789abcdef", EccRecord.agentField("mid1"), "TCPScan",
                "scan web tier", "127.0.0.1", payload, EccRecord.QUEUE_OUTPUT, EccRecord.STATE_READY, null,
                EccRecord.PRIORITY_STANDARD, null, "2026-03-01 10:00:00", null);
        recordJson = mapper.writeValueAsBytes(record);
        List<EccRecord> twenty = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            twenty.add(record);
        }
        reply = new PollReply(twenty, "7", "1.2.3", "Up", true, null);
        replyJson = mapper.writeValueAsBytes(reply);
    }

    /** @return the record as JSON bytes */
    @Benchmark
    public byte[] writeRecord() throws IOException {
        return mapper.writeValueAsBytes(record);
    }

    /** @return the record read back */
    @Benchmark
    public EccRecord readRecord() throws IOException {
        return mapper.readValue(recordJson, EccRecord.class);
    }

    /** @return a poll reply of 20 records as JSON bytes (what the instance sends) */
    @Benchmark
    public byte[] writePollReply20() throws IOException {
        return mapper.writeValueAsBytes(reply);
    }

    /** @return a poll reply of 20 records read back (what the agent does) */
    @Benchmark
    public PollReply readPollReply20() throws IOException {
        return mapper.readValue(replyJson, PollReply.class);
    }
}
