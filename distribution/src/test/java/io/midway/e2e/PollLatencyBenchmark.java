package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Benchmark, not part of the normal build (its name does not end in IT): how soon a waiting long
 * poll answers after an output record is inserted, over real HTTP against the real
 * distribution's instance. Run with
 * {@code mvn -B -DskipTests install && mvn -B -pl distribution verify -Dit.test=PollLatencyBenchmark}
 * and read the BENCHMARK line (also written to distribution/target/poll-latency-benchmark.txt).
 */
public class PollLatencyBenchmark {

    private static final int WARMUP = 50;
    private static final int ROUNDS = 500;

    @Test
    public void longPollWakeUpAfterInsert() throws Exception {
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        Path work = TestFolders.temporary("midway-bench");
        int port = Ports.free();
        String base = "http://127.0.0.1:" + port;
        try (MidwayProcess instance = MidwayProcess.start(dist, "instance", Map.of("MIDWAY_HTTP_PORT", Integer.toString(port),
                "MIDWAY_DATA", work.toString(), "MIDWAY_ADMIN_PASSWORD", "bench-admin", "MIDWAY_AGENT_PASSWORD", "bench-agent"),
                work.resolve("instance.log"), false)) {
            Http admin = new Http(base, "admin", "bench-admin");
            Http agent = new Http(base, "mid", "bench-agent");
            Wait.until(Duration.ofSeconds(90), "instance up", () -> admin.get("/api/mid/instance_info").statusCode() == 200, instance);
            HttpResponse<String> reg = agent.send("POST", "/api/mid/agents/register",
                    "{\"name\":\"bench\",\"version\":\"0\",\"host_name\":\"bench\",\"ip_address\":\"127.0.0.1\",\"capabilities\":[]}");
            assertTrue(reg.body(), reg.statusCode() / 100 == 2);
            String sysId = Http.parse(reg).path("result").path("sys_id").asText();
            assertEquals(200, admin.send("PATCH", "/api/now/table/ecc_agent/" + sysId, "{\"validated\":true}").statusCode());

            long[] nanos = new long[ROUNDS];
            for (int i = -WARMUP; i < ROUNDS; i++) {
                CompletableFuture<HttpResponse<String>> poll = agent.sendAsync("/api/mid/ecc/poll?agent=bench&max=1&wait_ms=20000");
                // the poll must be parked on the instance before the insert
                Thread.sleep(20);
                assertTrue("the poll answered before any insert", !poll.isDone());
                long start = System.nanoTime();
                HttpResponse<String> created = admin.send("POST", "/api/now/table/ecc_queue",
                        "{\"agent\":\"mid.server.bench\",\"topic\":\"Bench\",\"payload\":{\"i\":" + i + "}}");
                HttpResponse<String> reply = poll.get();
                long elapsed = System.nanoTime() - start;
                assertEquals(created.body(), 201, created.statusCode());
                JsonNode records = Http.parse(reply).path("result");
                assertEquals(reply.body(), 1, records.size());
                agent.send("POST", "/api/mid/ecc/input", "{\"records\":[{\"response_to\":\""
                        + records.get(0).path("sys_id").asText() + "\",\"topic\":\"Bench\",\"state\":\"processed\",\"payload\":{}}]}");
                if (i >= 0) {
                    nanos[i] = elapsed;
                }
            }
            Arrays.sort(nanos);
            String line = String.format("long poll answered after an insert (insert sent -> poll reply received, real HTTP on "
                    + "loopback, %d rounds after %d warm-up): p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms",
                    ROUNDS, WARMUP, ms(nanos, 0.50), ms(nanos, 0.90), ms(nanos, 0.99), nanos[ROUNDS - 1] / 1e6);
            System.out.println("BENCHMARK " + line);
            Files.writeString(Path.of("target", "poll-latency-benchmark.txt"), line + "\n", StandardCharsets.UTF_8);
        }
    }

    private static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
}
