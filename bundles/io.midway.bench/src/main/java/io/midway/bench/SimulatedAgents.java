package io.midway.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.wire.EccRecord;

/**
 * Many lightweight agents in the bench's JVM: each enrolls (its own identity, as bin/agent does),
 * then long-polls like bin/agent ({@code wait_ms} {@value #WAIT_MS}, max 10) and answers every record
 * it gets, heartbeats included, with one input batch. No thread per agent: the polls are
 * asynchronous requests of the JDK client (one selector thread and {@link BenchHttp}'s pool of 8
 * handle every connection), so 5,000 waiting polls are 5,000 sockets and no threads.
 */
final class SimulatedAgents {

    /** The long-poll wait of bin/agent ({@code poll_wait_ms}). */
    static final long WAIT_MS = 30_000;

    /** Send time of the bench's own heartbeat to an agent, by agent name; removed when its poll returns it. */
    final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    /** Insert sent → long poll reply, nanoseconds, of the bench's heartbeats. */
    final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger pollErrors = new AtomicInteger();
    /** Every record answered. */
    final AtomicInteger answered = new AtomicInteger();
    /** Records answered that the bench did not send itself: the instance's own heartbeats. */
    final AtomicInteger instanceHeartbeats = new AtomicInteger();
    final AtomicInteger polls = new AtomicInteger();
    final List<Agent> agents = new ArrayList<>();
    private final String base;
    private volatile boolean running = true;

    SimulatedAgents(String base) {
        this.base = base;
    }

    /**
     * Registers {@code n} agents, four at a time (each enrollment hashes a new password on the
     * instance), then starts their polls and waits until every one has polled once.
     *
     * @return milliseconds the registrations took
     */
    long start(int n, BenchHttp shared) throws Exception {
        String runTag = Long.toString(System.nanoTime(), 36);
        for (int i = 0; i < n; i++) {
            agents.add(new Agent("sim-" + runTag + "-" + i));
        }
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Agent a : agents) {
                done.add(pool.submit(() -> {
                    a.register(shared);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long registerMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        for (Agent a : agents) {
            a.poll();
        }
        return registerMs;
    }

    boolean allPolled() {
        return agents.stream().allMatch(a -> a.polls.get() >= 1);
    }

    /** Stops re-polling; polls still waiting end with their timeout. */
    void stop() {
        running = false;
    }

    /** One simulated agent. */
    final class Agent {
        final String name;
        final AtomicInteger polls = new AtomicInteger();
        private volatile String revision = "";
        private volatile BenchHttp own;

        Agent(String name) {
            this.name = name;
        }

        void register(BenchHttp shared) throws IOException, InterruptedException {
            ObjectNode r = BenchHttp.JSON.createObjectNode();
            r.put("name", name);
            r.put("version", "0.0.0");
            r.put("host_name", "bench");
            r.put("ip_address", "127.0.0.1");
            r.putArray("capabilities");
            // The shared user only enrolls: the answer carries this agent's own identity (in clear,
            // as the registration sends no key), which it logs in as from then on.
            JsonNode identity = shared.expect("POST", "/api/mid/agents/register?enroll=true", r.toString()).path("identity");
            own = new BenchHttp(base, identity.path("user_name").asText(), identity.path("password").asText());
        }

        void poll() {
            if (!running) {
                return;
            }
            // the first poll does not wait, so the bench knows when every agent is in; then long polls
            String path = "/api/mid/ecc/poll?agent=" + name + "&max=10&wait_ms=" + (polls.get() == 0 ? 0 : WAIT_MS)
                    + (revision.isEmpty() ? "" : "&sync_revision=" + revision);
            own.sendAsync("GET", path, null, Duration.ofMillis(WAIT_MS + 15_000)).whenComplete((r, e) -> {
                long now = System.nanoTime();
                polls.incrementAndGet();
                SimulatedAgents.this.polls.incrementAndGet();
                if (e != null || r.statusCode() != 200) {
                    if (running) {
                        pollErrors.incrementAndGet();
                    }
                    // retry later, off the client's threads
                    java.util.concurrent.CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(this::poll);
                    return;
                }
                try {
                    JsonNode reply = BenchHttp.JSON.readTree(r.body());
                    revision = reply.path("sync_revision").asText("");
                    ArrayNode inputs = BenchHttp.JSON.createArrayNode();
                    for (JsonNode rec : reply.path("result")) {
                        if ("bench".equals(rec.path("name").asText())) {
                            Long sent = sentAt.remove(name);
                            if (sent != null) {
                                latencies.add(now - sent);
                            }
                        } else {
                            instanceHeartbeats.incrementAndGet();
                        }
                        ObjectNode in = inputs.addObject();
                        in.put("response_to", rec.path("sys_id").asText());
                        in.put("topic", rec.path("topic").asText());
                        in.put("name", rec.path("name").asText());
                        in.put("source", name);
                        in.putObject("payload").put("ok", true);
                        in.put("state", EccRecord.STATE_PROCESSED);
                        answered.incrementAndGet();
                    }
                    if (!inputs.isEmpty()) {
                        ObjectNode batch = BenchHttp.JSON.createObjectNode();
                        batch.set("records", inputs);
                        own.sendAsync("POST", "/api/mid/ecc/input", batch.toString(), Duration.ofSeconds(30));
                    }
                } catch (IOException ex) {
                    pollErrors.incrementAndGet();
                }
                poll();
            });
        }
    }
}
