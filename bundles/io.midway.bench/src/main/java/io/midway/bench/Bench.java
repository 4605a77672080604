package io.midway.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.testing.jars.TestJars;
import io.midway.wire.EccRecord;

/**
 * The benchmark suite behind bin/bench: starts a real bin/instance and bin/agent of the
 * distribution on loopback, measures, prints one JSON line per metric and writes the table into
 * BENCHMARKS.md. {@code --quick} runs small sizes (under 90 s), the default the full sizes.
 */
public final class Bench {

    private static final String AGENT = "bench";
    private static final String ECHO = "Echo";
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final String BEGIN = "<!-- bench:begin -->";
    private static final String END = "<!-- bench:end -->";
    /** The section of a run on PostgreSQL ({@code --store postgresql}), beside the embedded H2's. */
    private static final String PG_BEGIN = "<!-- bench:postgresql:begin -->";
    private static final String PG_END = "<!-- bench:postgresql:end -->";

    /** The instance's database: {@code h2} (embedded, the default) or {@code postgresql}. */
    private String store = "h2";
    /** The throw-away PostgreSQL server of a {@code --store postgresql} run without MIDWAY_DB_URL. */
    private io.midway.testing.servers.PostgresServer postgres;
    /** ecc_latency times every n-th item it sends (the watcher's queries load the instance too). */
    private static final int SAMPLE_EVERY = 10;

    private final boolean quick;
    /** How long the instance took to settle after it answered ({@link #settle(long)}). */
    private Settling instanceSettled;
    /** When the agent had settled after its start, in ms since it started ({@link #settleAfter}). */
    private Settling agentSettled;
    private final Path home;
    private final Path work;
    private final PrintStream out;
    private final List<Metric> metrics = new ArrayList<>();
    private final String adminPassword = secret();
    private final String agentPassword = secret();
    private final int instancePort;
    private final int agentPort;
    private MidwayProcess instance;
    private MidwayProcess agent;
    private BenchHttp admin;
    private BenchHttp mid;
    private boolean batchInsert;
    /** ecc_latency's rate; the targets are for {@value #LATENCY_RATE}. */
    private int latencyRate = LATENCY_RATE;
    private static final int LATENCY_RATE = 500;
    private List<String> steps;
    private Path karafTarball;

    /** What {@code --only} can name, in the order they run. */
    static final List<String> STEPS = List.of("agent_restart", "agent_idle", "ecc_throughput", "agent_rss", "ecc_latency",
            "upgrade_pause", "crash_recovery", "instance_agents", "instance_idle_cpu", "machine_floor", "peers");

    /** One measured figure. */
    record Metric(String metric, double value, String unit, double target, boolean higherIsBetter, String note, boolean conditionMet) {
        Metric(String metric, double value, String unit, double target, boolean higherIsBetter, String note) {
            this(metric, value, unit, target, higherIsBetter, note, true);
        }

        /** A peer's figure or a ratio against one: no target of ours. */
        static Metric peer(String metric, double value, String unit, String note) {
            return new Metric(metric, value, unit, Double.NaN, true, note, true);
        }

        boolean isPeer() {
            return Double.isNaN(target);
        }

        boolean met() {
            if (isPeer()) {
                return true;
            }
            return conditionMet && !Double.isNaN(value) && (higherIsBetter ? value >= target : value <= target);
        }

        String json() {
            ObjectNode n = BenchHttp.JSON.createObjectNode();
            n.put("metric", metric);
            n.put("value", Math.round(value * 10) / 10.0);
            n.put("unit", unit);
            if (isPeer()) {
                n.putNull("target");
            } else {
                n.put("target", target);
            }
            n.put("note", (met() ? "" : "MISSED TARGET (" + (higherIsBetter ? "≥ " : "≤ ") + fmt(target) + "): ") + note);
            return n.toString();
        }
    }

    private Bench(boolean quick, Path home, Path work, PrintStream out) throws IOException {
        this.quick = quick;
        this.home = home;
        this.work = work;
        this.out = out;
        this.instancePort = freePort();
        this.agentPort = freePort();
    }

    /**
     * @param args {@code --quick}, {@code --benchmarks FILE}, {@code --no-write}
     * @throws Exception when the suite cannot run
     */
    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean keep = false;
        boolean write = true;
        Path benchmarks = null;
        Path karaf = null;
        List<String> only = STEPS;
        String store = "h2";
        int latencyRate = LATENCY_RATE;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--no-write" -> write = false;
                case "--keep" -> keep = true;
                case "--benchmarks" -> benchmarks = Path.of(args[++i]);
                case "--only" -> only = List.of(args[++i].split(","));
                case "--karaf" -> karaf = Path.of(args[++i]);
                case "--store" -> store = args[++i];
                case "--latency-rate" -> latencyRate = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: bin/bench [--quick] [--store h2|postgresql] [--only STEP,…] [--latency-rate N] [--karaf apache-karaf-X.tar.gz] [--benchmarks BENCHMARKS.md] [--no-write] [--keep]");
                    System.err.println("  --store postgresql: the instance on PostgreSQL: MIDWAY_DB_URL/_USER/_PASSWORD if set, else a"
                            + " throw-away server of this machine's PostgreSQL (initdb)");
                    System.err.println("  --latency-rate N: ecc_latency at N items/s instead of " + LATENCY_RATE
                            + " (its rows then carry no target; BENCHMARKS.md is not written)");
                    System.err.println("  steps: " + String.join(",", STEPS) + " (agent_start and hot_deploy always run;"
                            + " --only does not write BENCHMARKS.md)");
                    System.exit(2);
                }
            }
        }
        String h = System.getProperty("midway.home", System.getenv("MIDWAY_HOME"));
        if (h == null) {
            System.err.println("bench: midway.home is not set (run bin/bench)");
            System.exit(2);
        }
        Path home = Path.of(h).toAbsolutePath();
        Path work = Files.createTempDirectory("midway-bench");
        long started = System.nanoTime();
        for (String step : only) {
            if (!STEPS.contains(step)) {
                System.err.println("bench: unknown step '" + step + "'; the steps are " + String.join(",", STEPS));
                System.exit(2);
            }
        }
        if (only != STEPS || latencyRate != LATENCY_RATE) {
            write = false;
        }
        if (latencyRate < 1 || latencyRate > 5000) {
            System.err.println("bench: --latency-rate takes 1 to 5000 items/s");
            System.exit(2);
        }
        if (!store.equals("h2") && !store.equals("postgresql")) {
            System.err.println("bench: unknown store '" + store + "': h2 or postgresql");
            System.exit(2);
        }
        Bench bench = new Bench(quick, home, work, System.out);
        bench.store = store;
        bench.steps = only;
        bench.latencyRate = latencyRate;
        bench.karafTarball = karaf != null ? karaf : KarafPeer.defaultTarball();
        int exit = 0;
        try {
            bench.run();
        } catch (Exception e) {
            System.err.println("bench: failed: " + e);
            e.printStackTrace();
            exit = 1;
        } finally {
            bench.stop();
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        if (exit == 0 && !keep) {
            // each run leaves copies of the distribution and databases (hundreds of MB): gone unless asked
            KarafPeer.deleteTree(work);
            System.err.println("bench: " + bench.metrics.size() + " metrics in " + seconds + " s; its work folder is"
                    + " removed (--keep keeps it with the logs)");
        } else {
            System.err.println("bench: " + bench.metrics.size() + " metrics in " + seconds + " s; logs in " + work);
        }
        if (write && !bench.metrics.isEmpty()) {
            Path file = benchmarks != null ? benchmarks : findBenchmarks(home);
            if (file == null) {
                System.err.println("bench: no BENCHMARKS.md above " + home + " (use --benchmarks FILE); table not written");
            } else {
                bench.writeTable(file, seconds);
                System.err.println("bench: table written to " + file);
            }
        }
        System.exit(exit);
    }

    private void run() throws Exception {
        startInstance();
        startAgent();
        // A hot deploy meets a running agent: not one still starting its console, its first sync
        // and (3 s after its start) its key pair on the same two cores
        agentSettled = settleAfter(agent, Duration.ofSeconds(5));
        hotDeploy(); // the other steps need the echo probe it deploys
        step("agent_restart", this::agentRestart);
        step("agent_idle", this::agentIdle);
        step("ecc_throughput", this::throughput);
        step("agent_rss", this::rss);
        step("ecc_latency", this::latency);
        step("upgrade_pause", this::upgradePause);
        step("crash_recovery", this::crashRecovery);
        step("instance_agents", this::instanceAgents);
        step("instance_idle_cpu", this::instanceIdleCpu);
        step("machine_floor", this::machineFloor);
        step("peers", this::peers);
    }

    private interface Step {
        void run() throws Exception;
    }

    private void step(String name, Step step) throws Exception {
        if (steps.contains(name)) {
            step.run();
        }
    }

    // --- processes ---------------------------------------------------------------------------

    private void startInstance() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("MIDWAY_HTTP_PORT", Integer.toString(instancePort));
        // Plain HTTP on loopback, as before HTTPS became the default: the numbers stay comparable
        // with earlier runs (BENCHMARKS.md), and 8443 stays free for an instance already running.
        env.put("MIDWAY_HTTPS_PORT", "off");
        env.put("MIDWAY_DATA", work.resolve("instance").toString());
        if (store.equals("postgresql")) {
            env.putAll(postgresql());
        }
        env.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        env.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        env.put("MIDWAY_LOG_LEVEL", "warn");
        // 5,000 simulated agents hold 5,000 connections, and Jetty keeps ~100 KB of heap per
        // connection (its parser's header cache): bin/instance's default 512 MB is not enough
        env.put("MIDWAY_INSTANCE_JVM_FLAGS", "-Xmx1g");
        instance = MidwayProcess.start(home, "instance", env, work.resolve("instance.log"));
        BenchHttp anonymous = new BenchHttp(base(), null, null);
        until(STARTUP, "the instance answering", () -> {
            try {
                return anonymous.send("GET", "/api/mid/instance_info", null).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        admin = new BenchHttp(base(), "admin", adminPassword);
        mid = new BenchHttp(base(), "mid", agentPassword);
        HttpResponse<String> r = admin.send("POST", "/api/now/table/ecc_queue",
                "[{\"agent\":\"mid.server.nobody\",\"topic\":\"Nothing\"},{\"agent\":\"mid.server.nobody\",\"topic\":\"Nothing\"}]");
        batchInsert = r.statusCode() / 100 == 2 && BenchHttp.JSON.readTree(r.body()).path("result").isArray();
        instanceSettled = settle(instance.jvmPid());
    }

    /**
     * How a wait for a process to settle ended.
     *
     * @param ms how long it took, in ms (for {@link #settleAfter}: the process's age then)
     * @param quiet whether the process got under 5 % of a core; {@code false}: the wait gave up
     */
    record Settling(long ms, boolean quiet) {

        /**
         * @param since what the time counts from, e.g. "after it answered"
         * @return the words for a metric's note
         */
        String describe(String since) {
            return quiet ? "under 5 % of a core for 0.5 s, " + ms + " ms " + since
                    : "still above 5 % of a core " + ms + " ms " + since + ": the wait gave up, and it went on";
        }
    }

    /**
     * Waits until a process is at least {@code min} old and has settled ({@link #settle(long)}).
     *
     * @return its age then
     */
    private static Settling settleAfter(MidwayProcess p, Duration min) throws InterruptedException {
        long wait = p.startedNanos + min.toNanos() - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        boolean quiet = settle(p.jvmPid()).quiet();
        return new Settling((System.nanoTime() - p.startedNanos) / 1_000_000, quiet);
    }

    /**
     * Waits until a process that just started has settled: under 5 % of a core over half a second
     * (its JIT compilers and start-up threads done), at most 30 s. The agent's start is measured
     * against an instance that is running, as an agent meets it, not against one still starting on
     * the same two cores.
     *
     * @return how long it took, and whether it settled before the 30 s were up
     */
    private static Settling settle(long pid) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
        boolean quiet = false;
        while (!quiet && System.nanoTime() < deadline) {
            long cpu = cpuNanos(pid);
            long w0 = System.nanoTime();
            Thread.sleep(500);
            quiet = (cpuNanos(pid) - cpu) < 0.05 * (System.nanoTime() - w0);
        }
        return new Settling((System.nanoTime() - t0) / 1_000_000, quiet);
    }

    private void startAgent() throws Exception {
        startAgentUntilUp("agent.log", "agent " + AGENT + " Up", "agent_start_ms", 1500,
                "bin/agent started (fresh data folder, first start) until ecc_agent shows it Up; polled every 10 ms; "
                        + "started once the instance had settled (" + instanceSettled.describe("after it answered") + ")");
    }

    /**
     * The agent stopped (SIGTERM, as a service manager does) and started again on the same data
     * folder: a warm bundle cache, its key and identity made, the echo bundle synced.
     */
    private void agentRestart() throws Exception {
        agent.close();
        until(STARTUP, "agent " + AGENT + " no longer Up", () -> !"Up".equals(agentRecord().path("status").asText()));
        startAgentUntilUp("agent-restart.log", "agent " + AGENT + " Up again", "agent_restart_ms", 1000,
                "bin/agent started again on its data folder (warm bundle cache) until ecc_agent shows it Up; polled every 10 ms");
    }

    /**
     * Starts bin/agent, waits until ecc_agent shows it Up and reports the time from its start.
     *
     * @param log its log, in {@code work/}
     * @param waitingFor what a timeout says was waited for
     * @param metric the metric's name
     * @param target the metric's target, in ms
     * @param note the metric's note
     */
    private void startAgentUntilUp(String log, String waitingFor, String metric, double target, String note)
            throws Exception {
        agent = startAgentProcess(log);
        until(STARTUP, waitingFor, () -> "Up".equals(agentRecord().path("status").asText()));
        double ms = (System.nanoTime() - agent.startedNanos) / 1e6;
        report(new Metric(metric, ms, "ms", target, false, note));
    }

    /** What the agent costs doing nothing: CPU over a quiet period after it settled, and its threads. */
    private void agentIdle() throws Exception {
        long pid = agent.jvmPid();
        Thread.sleep(quick ? 3000 : 10_000); // settle: start-up work after Up, the first heartbeat
        int seconds = quick ? 10 : 30;
        Map<String, Long> threadsBefore = threadTicks(pid);
        long cpuBefore = cpuNanos(pid);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long cpu = cpuNanos(pid) - cpuBefore;
        long wall = System.nanoTime() - t0;
        Map<String, Long> threadsAfter = threadTicks(pid);
        report(new Metric("agent_idle_cpu", 100.0 * cpu / wall, "% of a core", 0.3, false, "CPU time of the idle agent JVM (pid "
                + pid + ", /proc/PID/stat) over " + seconds + " s, its long poll waiting; busiest threads "
                + busiest(threadsBefore, threadsAfter)));
        report(new Metric("agent_idle_threads", threadsAfter.size(), "threads", 30, false,
                "threads of the idle agent JVM (/proc/PID/task) at the end of that period: " + threadGroups(threadsAfter.keySet())));
    }

    /** @return thread names grouped without their numbers, largest groups first */
    private static String threadGroups(java.util.Set<String> threads) {
        Map<String, Integer> groups = new HashMap<>();
        for (String t : threads) {
            groups.merge(t.substring(t.indexOf('/') + 1).replaceAll("[-#]?\\d+$", ""), 1, Integer::sum);
        }
        return groups.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                .thenComparing(Map.Entry.comparingByKey()))
                .map(e -> e.getKey() + (e.getValue() > 1 ? " ×" + e.getValue() : ""))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** Starts bin/agent on the bench agent's data folder (fresh or not), logging to {@code work/<log>}. */
    private MidwayProcess startAgentProcess(String log) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("MIDWAY_INSTANCE_URL", base());
        env.put("MIDWAY_AGENT_NAME", AGENT);
        env.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        env.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        env.put("MIDWAY_HTTP_PORT", Integer.toString(agentPort));
        env.put("MIDWAY_DATA", work.resolve("agent").toString());
        // BENCH_AGENT_LOG_LEVEL=info|debug: the agent's log (work/agent/agent.log, with --keep) times
        // its steps, e.g. an upgrade's; the figures are taken at the default, warn
        env.put("MIDWAY_LOG_LEVEL", System.getenv().getOrDefault("BENCH_AGENT_LOG_LEVEL", "warn"));
        return MidwayProcess.start(home, "agent", env, work.resolve(log));
    }

    private JsonNode agentRecord() throws IOException, InterruptedException {
        for (JsonNode a : admin.json("/api/now/table/ecc_agent").path("result")) {
            if (AGENT.equals(a.path("name").asText())) {
                return a;
            }
        }
        return BenchHttp.JSON.createObjectNode();
    }

    private void stop() {
        for (MidwayProcess p : new MidwayProcess[] {agent, instance}) {
            if (p != null) {
                try {
                    p.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    /** @return the instance's database settings on PostgreSQL: the environment's, or a throw-away server's */
    private Map<String, String> postgresql() {
        String url = System.getenv("MIDWAY_DB_URL");
        if (url != null && !url.isBlank()) {
            Map<String, String> given = new HashMap<>();
            given.put("MIDWAY_DB_URL", url);
            given.put("MIDWAY_DB_USER", System.getenv().getOrDefault("MIDWAY_DB_USER", ""));
            given.put("MIDWAY_DB_PASSWORD", System.getenv().getOrDefault("MIDWAY_DB_PASSWORD", ""));
            return given;
        }
        if (postgres == null) {
            postgres = io.midway.testing.servers.PostgresServer.startDurable();
            postgresVersion = String.valueOf(postgres.query("SHOW server_version").get(0).get(0));
        }
        return Map.of("MIDWAY_DB_URL", postgres.jdbcUrl(), "MIDWAY_DB_USER", postgres.user(),
                "MIDWAY_DB_PASSWORD", postgres.password());
    }

    // --- metrics -----------------------------------------------------------------------------

    private void hotDeploy() throws Exception {
        String version = "1.0." + (System.currentTimeMillis() / 1000);
        Path jar = TestJars.withVersion(echoJar(), work.resolve("echo-" + version + ".jar"), version);
        byte[] bytes = Files.readAllBytes(jar);
        long t0 = System.nanoTime();
        HttpResponse<String> r = admin.sendBytes("POST", "/api/mid/admin/files?kind=probe", bytes, "application/java-archive");
        if (r.statusCode() != 201) {
            throw new IOException("upload answered " + r.statusCode() + ": " + r.body());
        }
        long deadline = t0 + Duration.ofSeconds(60).toNanos();
        int tries = 0;
        while (System.nanoTime() < deadline) {
            tries++;
            String id = insert(ECHO, "hot-deploy", EccRecord.PRIORITY_INTERACTIVE);
            String state = awaitDone(id, 5);
            if (EccRecord.STATE_PROCESSED.equals(state)) {
                JsonNode input = admin.json("/api/now/table/ecc_queue?sysparm_query=queue=input^response_to=" + id)
                        .path("result").path(0);
                if (version.equals(input.path("payload").path("bundle_version").asText())) {
                    double ms = (System.nanoTime() - t0) / 1e6;
                    report(new Metric("hot_deploy_ms", ms, "ms", 300, false, "echo fixture " + version
                            + " uploaded (POST /api/mid/admin/files) until an Echo item is answered by it; "
                            + tries + " item(s) sent, interactive priority; to the running agent (at least 5 s old, then "
                            + agentSettled.describe("after its start") + ")"));
                    return;
                }
            }
        }
        throw new IOException("the uploaded echo probe never answered");
    }

    private void throughput() throws Exception {
        int n = quick ? 3000 : 30000;
        String tag = "tp-" + System.nanoTime();
        warmUp();
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        int batch = 100;
        long t0 = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                if (batchInsert) {
                    for (int from = next.getAndAdd(batch); from < n; from = next.getAndAdd(batch)) {
                        ArrayNode array = BenchHttp.JSON.createArrayNode();
                        for (int i = from; i < Math.min(n, from + batch); i++) {
                            array.add(output(ECHO, tag, EccRecord.PRIORITY_STANDARD));
                        }
                        admin.expect("POST", "/api/now/table/ecc_queue", array.toString());
                    }
                } else {
                    while (next.getAndIncrement() < n) {
                        admin.expect("POST", "/api/now/table/ecc_queue", output(ECHO, tag, EccRecord.PRIORITY_STANDARD).toString());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        double insertSeconds = (System.nanoTime() - t0) / 1e9;
        until(Duration.ofSeconds(quick ? 60 : 300), n + " items processed", () -> outstanding() == 0, 200);
        double seconds = (System.nanoTime() - t0) / 1e9;
        report(new Metric("ecc_throughput", n / seconds, "items/s", 10000, true, n + " Echo items, "
                + (batchInsert ? "batch inserts of " + batch + " (JSON array)" : "single inserts") + " on " + threads
                + " threads (inserting took " + fmt(insertSeconds) + " s), first insert until all outputs processed"));
    }

    private void warmUp() throws Exception {
        String tag = "warm-" + System.nanoTime();
        for (int i = 0; i < 200; i++) {
            insert(ECHO, tag, EccRecord.PRIORITY_STANDARD);
        }
        until(Duration.ofSeconds(60), "warm-up processed", () -> outstanding() == 0, 50);
    }

    private void rss() throws Exception {
        long pid = agent.jvmPid();
        double right = rssKb(pid) / 1024;
        // the agent at rest after the burst (a burst's end gives its heap back): what it holds
        // between bursts, which is most of its life; the figure right after the burst is in the note
        Thread.sleep(10_000);
        double settled = rssKb(pid) / 1024;
        report(new Metric("agent_rss_mb", settled, "MiB", 96, false,
                "VmRSS of the agent JVM (pid " + pid + ") 10 s after " + (steps.contains("ecc_throughput")
                        ? "the throughput run" : "start and hot deploy") + " (" + fmt(Math.round(right))
                        + " MiB right at its end), with the JVM flags bin/agent uses"));
    }

    private static double rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Double.parseDouble(line.replaceAll("[^0-9]", ""));
            }
        }
        return Double.NaN;
    }

    private void latency() throws Exception {
        int rate = latencyRate;
        int seconds = quick ? 4 : 30;
        int warm = rate;
        int n = rate * seconds;
        int bucketSize = 25;
        String tag = "lat-" + System.nanoTime();
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Long> doneAt = new ConcurrentHashMap<>();
        AtomicInteger inserted = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        java.util.concurrent.ConcurrentSkipListMap<Long, String> outstanding = new java.util.concurrent.ConcurrentSkipListMap<>();
        // One watcher: asks for the oldest unanswered sampled records (up to 150 sys_ids in one IN
        // term of one Table API query), a round every 2 ms, so that watching stays light
        // beside the work: every SAMPLE_EVERY-th item is timed, all are sent.
        Thread watcher = new Thread(() -> {
            long deadline = Long.MAX_VALUE;
            while (System.nanoTime() < deadline) {
                if (deadline == Long.MAX_VALUE && inserted.get() + failures.get() >= n) {
                    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                }
                if (outstanding.isEmpty()) {
                    if (deadline != Long.MAX_VALUE) {
                        return;
                    }
                    LockSupport.parkNanos(200_000L);
                    continue;
                }
                Map<String, Long> byId = new HashMap<>();
                for (Map.Entry<Long, String> entry : outstanding.entrySet()) {
                    byId.put(entry.getValue(), entry.getKey());
                    if (byId.size() == 150) {
                        break;
                    }
                }
                try {
                    JsonNode done = admin.json("/api/now/table/ecc_queue?sysparm_fields=sys_id,state"
                            + "&sysparm_query=sys_idIN" + String.join(",", byId.keySet()))
                            .path("result");
                    long now = System.nanoTime();
                    for (JsonNode r : done) {
                        String id = r.path("sys_id").asText();
                        String state = r.path("state").asText();
                        if (EccRecord.STATE_PROCESSED.equals(state)) {
                            doneAt.put(id, now);
                        } else if (!EccRecord.STATE_ERROR.equals(state)) {
                            continue; // not answered yet
                        }
                        Long key = byId.get(id);
                        if (key != null) {
                            outstanding.remove(key);
                        }
                    }
                    LockSupport.parkNanos(2_000_000L);
                } catch (Exception e) {
                    failures.incrementAndGet();
                }
            }
        }, "bench-latency-watcher");
        watcher.start();
        // blocking senders on kept-alive connections: a cheap load generator (see BenchHttp.postLean)
        ExecutorService senders = Executors.newFixedThreadPool(64);
        long start = System.nanoTime();
        long periodNanos = 1_000_000_000L / rate;
        List<java.util.concurrent.CompletableFuture<?>> sends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long due = start + i * periodNanos;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            int bucket = i / bucketSize;
            boolean count = i >= warm && i % SAMPLE_EVERY == 0;
            long t0 = System.nanoTime();
            String body = output(ECHO, tag + "-" + bucket, EccRecord.PRIORITY_STANDARD).toString();
            sends.add(java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    Map.Entry<Integer, String> r = admin.postLean("/api/now/table/ecc_queue", body);
                    if (r.getKey() / 100 != 2) {
                        failures.incrementAndGet();
                        return;
                    }
                    String id = BenchHttp.JSON.readTree(r.getValue()).path("result").path("sys_id").asText();
                    if (count) {
                        sentAt.put(id, t0);
                        outstanding.put(t0, id);
                    }
                    inserted.incrementAndGet();
                } catch (IOException ex) {
                    failures.incrementAndGet();
                }
            }, senders));
        }
        double achieved = n / ((System.nanoTime() - start) / 1e9);
        for (java.util.concurrent.CompletableFuture<?> f : sends) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // counted in failures
            }
        }
        senders.shutdown();
        watcher.join(TimeUnit.SECONDS.toMillis(60));
        List<Long> sorted = new ArrayList<>();
        sentAt.forEach((id, t0) -> {
            Long t1 = doneAt.get(id);
            if (t1 != null) {
                sorted.add(t1 - t0);
            }
        });
        Collections.sort(sorted);
        String note = rate + " items/s (reached " + fmt(achieved) + ") for " + seconds + " s, single inserts from 64 threads on kept-alive connections; first second not counted, every "
                + SAMPLE_EVERY + "th item timed: " + sorted.size() + " measured of " + sentAt.size() + ", " + failures.get() + " failures; from sending the insert until one watcher"
                + " (asking for the oldest unanswered timed records by sys_id in one query, a round every 2 ms) sees the output processed, so it includes the insert round trip";
        if (rate == LATENCY_RATE) {
            report(new Metric("ecc_latency_p50_ms", pct(sorted, 50), "ms", 5, false, note));
            report(new Metric("ecc_latency_p99_ms", pct(sorted, 99), "ms", 50, false, note));
        } else {
            String off = " (--latency-rate: the targets are for " + LATENCY_RATE + " items/s)";
            report(Metric.peer("ecc_latency_p50_ms", pct(sorted, 50), "ms", note + off));
            report(Metric.peer("ecc_latency_p99_ms", pct(sorted, 99), "ms", note + off));
        }
    }

    private void upgradePause() throws Exception {
        Path shipped;
        try (Stream<Path> s = Files.list(home.resolve("system/agent"))) {
            shipped = s.filter(p -> p.getFileName().toString().matches("io\\.midway\\.agent-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IOException("no io.midway.agent-*.jar in " + home + "/system/agent"));
        }
        String base;
        try (JarFile jar = new JarFile(shipped.toFile())) {
            base = jar.getManifest().getMainAttributes().getValue("Bundle-Version");
        }
        String[] parts = base.split("\\.");
        String version = parts[0] + "." + parts[1] + "." + (Integer.parseInt(parts[2]) + 1);
        Path core = TestJars.withVersion(shipped, work.resolve("core-" + version + ".jar"), version);

        String tag = "up-" + System.nanoTime();
        List<Long> answered = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(64);
        int rate = 50;
        long periodNanos = 1_000_000_000L / rate;
        AtomicLong published = new AtomicLong();
        AtomicLong upAt = new AtomicLong();
        Thread load = new Thread(() -> {
            long start = System.nanoTime();
            for (int i = 0; upAt.get() == 0 || System.nanoTime() < upAt.get() + 2_000_000_000L; i++) {
                long due = start + i * periodNanos;
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                if (System.nanoTime() - start > 120_000_000_000L) {
                    return;
                }
                pool.execute(() -> {
                    try {
                        String id = insert(ECHO, tag, EccRecord.PRIORITY_STANDARD);
                        if (EccRecord.STATE_PROCESSED.equals(awaitDone(id, 90))) {
                            answered.add(System.nanoTime());
                        }
                    } catch (Exception e) {
                        // counted as not answered
                    }
                });
            }
        }, "bench-upgrade-load");
        load.start();
        Thread.sleep(1000);
        published.set(System.nanoTime());
        HttpResponse<String> r = admin.sendBytes("POST", "/api/mid/admin/upgrade", Files.readAllBytes(core), "application/java-archive");
        if (r.statusCode() != 201) {
            throw new IOException("publishing the core answered " + r.statusCode() + ": " + r.body());
        }
        until(Duration.ofSeconds(90), "agent Up on " + version, () -> {
            JsonNode a = agentRecord();
            return "Up".equals(a.path("status").asText()) && version.equals(a.path("version").asText());
        });
        upAt.set(System.nanoTime());
        load.join();
        pool.shutdown();
        pool.awaitTermination(90, TimeUnit.SECONDS);
        List<Long> times = new ArrayList<>(answered);
        Collections.sort(times);
        long prev = published.get();
        long gap = 0;
        for (long t : times) {
            if (t >= published.get()) {
                gap = Math.max(gap, t - prev);
                prev = t;
            }
        }
        report(new Metric("upgrade_pause_ms", gap / 1e6, "ms", 500, false, "core " + base + " → " + version
                + " published under a load of " + rate + " Echo items/s; longest gap between answered items from the publish until 2 s after the agent is Up on it ("
                + fmt((upAt.get() - published.get()) / 1e6) + " ms publish → Up)"));
    }

    /**
     * Crash recovery: Echo items inserted as fast as the instance takes them; once the agent holds
     * leased work, its JVM is killed (SIGKILL) and bin/agent started again on the same data folder;
     * measured from the kill until the last item is answered. Without crash recovery the items the
     * agent held would wait for their lease (lease.seconds, 300 s by default).
     */
    private void crashRecovery() throws Exception {
        int n = quick ? 5000 : 30000;
        String tag = "crash-" + System.nanoTime();
        AtomicInteger inserted = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Exception> failed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread load = new Thread(() -> {
            try {
                int batch = batchInsert ? 100 : 1;
                while (inserted.get() < n) {
                    if (batchInsert) {
                        ArrayNode array = BenchHttp.JSON.createArrayNode();
                        for (int i = 0; i < Math.min(batch, n - inserted.get()); i++) {
                            array.add(output(ECHO, tag, EccRecord.PRIORITY_STANDARD));
                        }
                        admin.expect("POST", "/api/now/table/ecc_queue", array.toString());
                        inserted.addAndGet(array.size());
                    } else {
                        insert(ECHO, tag, EccRecord.PRIORITY_STANDARD);
                        inserted.incrementAndGet();
                    }
                }
            } catch (Exception e) {
                failed.set(e);
            }
        }, "bench-crash-load");
        load.start();
        int[] held = new int[1];
        until(Duration.ofSeconds(60), "the agent holding leased work", () -> {
            held[0] = count("processing");
            return held[0] > 0 && inserted.get() >= n / 10;
        }, 5);
        long pid = agent.jvmPid();
        agent.kill();
        long killed = System.nanoTime();
        int heldAtKill = count("processing");
        agent = startAgentProcess("agent-after-kill.log");
        load.join();
        if (failed.get() != null) {
            throw failed.get();
        }
        until(Duration.ofSeconds(quick ? 120 : 300), "every item answered after the kill", () -> outstanding() == 0, 20);
        double ms = (System.nanoTime() - killed) / 1e6;
        report(new Metric("crash_recovery_ms", ms, "ms", 10000, false, "the agent JVM (pid " + pid + ") killed with SIGKILL "
                + "while " + heldAtKill + " Echo item(s) were leased to it, under a load of " + n + " items inserted "
                + (batchInsert ? "in batches of 100" : "one by one") + "; bin/agent started again at once on the same data "
                + "folder; kill until the last item is answered (lease.seconds 300)"));
    }

    /** @return how many of the bench agent's output records are in this state */
    private int count(String state) throws IOException, InterruptedException {
        return admin.json("/api/now/stats/ecc_queue?sysparm_count=true&sysparm_query=agent=" + EccRecord.AGENT_PREFIX + AGENT
                + "%5Equeue=output%5Estate=" + state).path("result").path("stats").path("count").asInt(-1);
    }

    /**
     * The peers, as ratios against what this run measured: Apache Karaf started here (its console
     * and deploy folder), and the MID Server's published figures as reference rows.
     */
    private void peers() throws Exception {
        try {
            KarafPeer.Result k = KarafPeer.measure(karafTarball, work.resolve("karaf"), Duration.ofMinutes(5), work.resolve("karaf.log"));
            String how = "Apache Karaf " + k.version() + " (Maven Central tarball) with features http and webconsole at boot and its deploy folder,"
                    + " default JVM flags, fresh data/ folder; the provisioning start before it took " + fmt(Math.round(k.provisionMs())) + " ms";
            report(Metric.peer("karaf_start_ms", k.startMs(), "ms", how + "; process start until /system/console answers 200 (with auth), polled every 15 ms"));
            report(Metric.peer("karaf_rss_mb", k.rssMb(), "MiB", "VmRSS of the Karaf JVM 5 s after its console answered"));
            measured("agent_start_ms").ifPresent(a -> report(new Metric("karaf_vs_agent_start", k.startMs() / a, "×", 3, true,
                    "karaf_start_ms / agent_start_ms: Karaf to its console against the agent to Up on the instance (" + fmt(Math.round(a)) + " ms)")));
            measured("agent_rss_mb").ifPresent(a -> report(new Metric("karaf_vs_agent_rss", k.rssMb() / a, "×", 3.5, true,
                    "karaf_rss_mb / agent_rss_mb (" + fmt(Math.round(a)) + " MiB, the agent after its work above)")));
        } catch (IOException e) {
            System.err.println("bench: Karaf peer not measured: " + e.getMessage());
        }
        // The MID Server's published figures (REFERENCE-MID.md): no run here, reference rows
        measured("ecc_latency_p50_ms").ifPresent(a -> report(Metric.peer("mid_poll_fallback_vs_latency", 40000 / a, "×",
                "the MID Server's 40 s ECC poll fallback (when its AMB push channel is down) / Midway's ecc_latency_p50_ms (" + fmt(a)
                        + " ms, long poll)")));
        measured("agent_rss_mb").ifPresent(a -> report(Metric.peer("mid_heap_vs_agent_rss", 1024 / a, "×",
                "the MID Server's 1 GB default maximum heap (wrapper.java.maxmemory=1024) / the agent's whole resident set ("
                        + fmt(Math.round(a)) + " MiB, -Xmx128m)")));
        measured("upgrade_pause_ms").ifPresent(a -> report(Metric.peer("mid_upgrade_downtime_vs_pause", 10000 / a, "×",
                "the MID Server's 10 s–2 min of downtime per upgrade (its JVM restarts; the low end here) / Midway's upgrade_pause_ms ("
                        + fmt(Math.round(a)) + " ms, in place)")));
    }

    private java.util.Optional<Double> measured(String metric) {
        return metrics.stream().filter(m -> m.metric().equals(metric) && !Double.isNaN(m.value()) && m.value() > 0)
                .map(Metric::value).findFirst();
    }

    /** The simulated agents of instance_agents and instance_idle_cpu, registered once for both. */
    private SimulatedAgents sims;

    private SimulatedAgents simulatedAgents() throws Exception {
        if (sims == null) {
            int n = quick ? 100 : 5000;
            sims = new SimulatedAgents(base());
            long ms = sims.start(n, mid);
            out.println("bench: " + n + " simulated agents registered in " + ms + " ms");
            SimulatedAgents s = sims;
            until(Duration.ofSeconds(120), "all simulated agents polling", s::allPolled, 100);
            Thread.sleep(1000);
        }
        return sims;
    }

    /** Stops the simulated agents after the last step that uses them. */
    private void doneWithSimulatedAgents(String step) {
        int last = Math.max(steps.indexOf("instance_agents") >= 0 ? STEPS.indexOf("instance_agents") : -1,
                steps.indexOf("instance_idle_cpu") >= 0 ? STEPS.indexOf("instance_idle_cpu") : -1);
        if (sims != null && STEPS.indexOf(step) == last) {
            sims.stop();
        }
    }

    private void instanceAgents() throws Exception {
        SimulatedAgents s = simulatedAgents();
        int n = s.agents.size();
        int rounds = 3;
        int errorsBefore = s.pollErrors.get();
        int answeredBefore = s.answered.get();
        AtomicInteger failedInserts = new AtomicInteger();
        Map<String, Integer> insertFailures = new ConcurrentHashMap<>();
        int unanswered = 0;
        // Each round: one HeartbeatProbe to every agent, inserted at a steady 200/s.
        long periodNanos = 1_000_000_000L / 200;
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long due = start + i * periodNanos;
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                SimulatedAgents.Agent sim = s.agents.get(i);
                s.sentAt.put(sim.name, System.nanoTime());
                ObjectNode o = BenchHttp.JSON.createObjectNode();
                o.put("agent", EccRecord.AGENT_PREFIX + sim.name);
                o.put("topic", EccRecord.TOPIC_HEARTBEAT);
                o.put("name", "bench");
                o.put("priority", EccRecord.PRIORITY_INTERACTIVE);
                admin.sendAsync("POST", "/api/now/table/ecc_queue", o.toString(), Duration.ofSeconds(30)).whenComplete((r, e) -> {
                    if (e != null || r.statusCode() / 100 != 2) {
                        failedInserts.incrementAndGet();
                        insertFailures.merge(e != null ? rootCause(e).getClass().getSimpleName() : "HTTP " + r.statusCode(), 1, Integer::sum);
                        s.sentAt.remove(sim.name);
                    }
                });
            }
            try {
                until(Duration.ofSeconds(60), "round answered", () -> s.sentAt.isEmpty(), 20);
            } catch (IOException e) {
                // not answered a minute after the round: counted, not waited for
                unanswered += s.sentAt.size();
                out.println("bench: round " + (round + 1) + ": " + s.sentAt.size() + " heartbeats unanswered after 60 s");
                s.sentAt.clear();
            }
        }
        doneWithSimulatedAgents("instance_agents");
        List<Long> sorted = new ArrayList<>(s.latencies);
        Collections.sort(sorted);
        double p99 = pct(sorted, 99);
        int errors = s.pollErrors.get() - errorsBefore;
        boolean held = p99 <= 100 && errors == 0 && unanswered == 0 && failedInserts.get() == 0;
        report(new Metric("instance_agents", n, "agents", 5000, true, n + " simulated agents (register, long poll with wait_ms "
                + SimulatedAgents.WAIT_MS + " as bin/agent does, answer heartbeats; asynchronous JDK client, no thread per agent)"
                + (quick ? " — --quick uses " + n + ", not 5000" : "") + "; " + rounds + " rounds of a HeartbeatProbe to every agent (inserted at 200/s): insert sent → long poll reply p50 "
                + fmt(pct(sorted, 50)) + " ms, p99 " + fmt(p99) + " ms (limit 100 ms) of " + sorted.size() + ", " + errors + " failed polls, "
                + failedInserts.get() + " failed inserts" + (insertFailures.isEmpty() ? "" : " " + insertFailures) + ", " + unanswered + " unanswered after a minute, "
                + (s.answered.get() - answeredBefore) + " records answered" + (held ? "" : "; p99 over 100 ms, or failures: not held"), held));
    }

    /**
     * CPU of the instance JVM while every simulated agent is idle: long polls waiting (renewed every
     * {@value SimulatedAgents#WAIT_MS} ms) and the instance's own heartbeats answered as they fall due.
     */
    private void instanceIdleCpu() throws Exception {
        SimulatedAgents s = simulatedAgents();
        int n = s.agents.size();
        long pid = instance.jvmPid();
        Thread.sleep(quick ? 3000 : 10_000); // settle: the last answers and their writes
        int seconds = quick ? 10 : 30;
        int pollsBefore = s.polls.get();
        int heartbeatsBefore = s.instanceHeartbeats.get();
        int errorsBefore = s.pollErrors.get();
        Map<String, Long> threadsBefore = threadTicks(pid);
        long cpuBefore = cpuNanos(pid);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long cpu = cpuNanos(pid) - cpuBefore;
        long wall = System.nanoTime() - t0;
        Map<String, Long> threadsAfter = threadTicks(pid);
        doneWithSimulatedAgents("instance_idle_cpu");
        double percent = 100.0 * cpu / wall;
        int polls = s.polls.get() - pollsBefore;
        int errors = s.pollErrors.get() - errorsBefore;
        report(new Metric("instance_idle_cpu", percent, "% of a core", 5, false, "CPU time of the instance JVM (pid " + pid
                + ", /proc/PID/stat) over " + seconds + " s with " + n + " idle simulated agents"
                + (quick ? " (--quick uses " + n + ", not 5000)" : "") + " after they settled: " + polls
                + " long polls ended and renewed (wait_ms " + SimulatedAgents.WAIT_MS + "), "
                + (s.instanceHeartbeats.get() - heartbeatsBefore) + " of the instance's heartbeats answered, " + errors
                + " failed polls; busiest threads " + busiest(threadsBefore, threadsAfter), errors == 0));
    }

    /** Requests a second of 5,000 agents renewing 30 s long polls: one every 6 ms. */
    private static final int IDLE_RATE = 5000 / 30;

    /**
     * What one HTTP request costs on this machine, for one of the instance's cheapest endpoints
     * (public {@code GET /api/mid/instance_info}: no login, one small read) and, as the control, for the JDK's
     * own HTTP server doing nothing in a JVM of its own ({@link PlainServer}): the server
     * process's CPU time per request and the round trip's p50, back to back on one kept-alive
     * connection and at the rate of 5,000 idle agents' long polls. The floors under issue 15's
     * idle and latency targets.
     */
    private void machineFloor() throws Exception {
        int port = freePort();
        Process plain = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                // without TCP_NODELAY its header and body writes meet delayed ACKs: 40 ms a request
                "-Dsun.net.httpserver.nodelay=true",
                "-cp", System.getProperty("java.class.path"), PlainServer.class.getName(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(work.resolve("plain-server.log").toFile()).start();
        try {
            String plainUrl = "http://127.0.0.1:" + port + "/";
            until(STARTUP, "the plain JDK server answering", () -> {
                try {
                    return BenchHttp.getLean(plainUrl) == 200;
                } catch (IOException e) {
                    return false;
                }
            });
            Floor midway = floor(base() + "/api/mid/instance_info", instance.jvmPid());
            Floor control = floor(plainUrl, plain.pid());
            String how = " on one kept-alive connection (blocking HttpURLConnection) after " + (quick ? 2000 : 20000)
                    + " warm-up requests; CPU time of the server JVM (/proc) per request. Control: the JDK's HttpServer"
                    + " answering a fixed body in its own JVM (io.midway.bench.PlainServer): ";
            report(Metric.peer("request_cpu_us_busy", midway.busyCpuUs(), "µs", "the instance's GET /api/mid/instance_info"
                    + " (public: no login; one read of the instance's state) back to back, round trip p50 " + fmt(midway.busyRttMs()) + " ms;" + how
                    + fmt(control.busyCpuUs()) + " µs, p50 " + fmt(control.busyRttMs()) + " ms"));
            report(Metric.peer("request_cpu_us_idle_rate", midway.idleCpuUs(), "µs", "the same, one request every "
                    + (1000 / IDLE_RATE) + " ms (" + IDLE_RATE + "/s, the long polls of 5,000 idle agents), round trip p50 "
                    + fmt(midway.idleRttMs()) + " ms;" + how + fmt(control.idleCpuUs()) + " µs, p50 " + fmt(control.idleRttMs()) + " ms"));
            report(Metric.peer("idle_floor_pct", midway.idleCpuUs() * IDLE_RATE / 1e4, "% of a core", IDLE_RATE
                    + " of the instance's cheapest requests a second (request_cpu_us_idle_rate × " + IDLE_RATE
                    + "/s): about what 5,000 idle agents' poll renewals cost on this machine for the requests alone (instance_idle_cpu's"
                    + " target is 5 %); the JDK server doing nothing: " + fmt(control.idleCpuUs() * IDLE_RATE / 1e4) + " %"));
        } finally {
            plain.destroy();
            plain.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A server's cost per request, back to back and spaced. */
    private record Floor(double busyCpuUs, double busyRttMs, double idleCpuUs, double idleRttMs) {
    }

    private Floor floor(String url, long pid) throws Exception {
        int warm = quick ? 2000 : 20000;
        int busy = quick ? 1000 : 5000;
        int idle = quick ? 300 : 1000;
        for (int i = 0; i < warm; i++) {
            BenchHttp.getLean(url);
        }
        List<Long> busyRtt = new ArrayList<>(busy);
        long cpu = cpuNanos(pid);
        for (int i = 0; i < busy; i++) {
            long t0 = System.nanoTime();
            BenchHttp.getLean(url);
            busyRtt.add(System.nanoTime() - t0);
        }
        double busyCpuUs = (cpuNanos(pid) - cpu) / 1000.0 / busy;
        List<Long> idleRtt = new ArrayList<>(idle);
        long period = 1_000_000_000L / IDLE_RATE;
        cpu = cpuNanos(pid);
        long start = System.nanoTime();
        for (int i = 0; i < idle; i++) {
            long due = start + i * period;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            long t0 = System.nanoTime();
            BenchHttp.getLean(url);
            idleRtt.add(System.nanoTime() - t0);
        }
        double idleCpuUs = (cpuNanos(pid) - cpu) / 1000.0 / idle;
        Collections.sort(busyRtt);
        Collections.sort(idleRtt);
        return new Floor(busyCpuUs, pct(busyRtt, 50), idleCpuUs, pct(idleRtt, 50));
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** @return CPU time of a process so far, from /proc/PID/stat (utime + stime) */
    private static long cpuNanos(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
    }

    /** @return CPU clock ticks of each thread of a process (utime + stime), keyed by id and name */
    private static Map<String, Long> threadTicks(long pid) {
        Map<String, Long> ticks = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String comm = Files.readString(t.resolve("comm")).strip();
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.put(t.getFileName() + "/" + comm, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (IOException | RuntimeException e) {
                    // the thread ended
                }
            }
        } catch (IOException e) {
            return ticks;
        }
        return ticks;
    }

    /** @return the three thread groups (names without their numbers) that used the most CPU between two samples, with shares */
    private static String busiest(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> byGroup = new HashMap<>();
        long total = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (d > 0) {
                String group = e.getKey().substring(e.getKey().indexOf('/') + 1).replaceAll("[-#]?\\d+$", "");
                byGroup.merge(group, d, Long::sum);
                total += d;
            }
        }
        long sum = total;
        return sum == 0 ? "(none)" : byGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(3)
                .map(e -> e.getKey() + " " + Math.round(100.0 * e.getValue() / sum) + " %")
                .collect(java.util.stream.Collectors.joining(", "));
    }

    // --- helpers -----------------------------------------------------------------------------

    private ObjectNode output(String topic, String name, int priority) {
        ObjectNode o = BenchHttp.JSON.createObjectNode();
        o.put("agent", EccRecord.AGENT_PREFIX + AGENT);
        o.put("topic", topic);
        o.put("name", name);
        o.put("priority", priority);
        o.putObject("payload").put("n", 1);
        return o;
    }

    private String insert(String topic, String name, int priority) throws IOException, InterruptedException {
        JsonNode r = admin.expect("POST", "/api/now/table/ecc_queue", output(topic, name, priority).toString());
        return r.path("result").path("sys_id").asText();
    }

    /** @return the record's final state, or its state at the timeout */
    private String awaitDone(String id, int timeoutSeconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        String state = "";
        while (System.nanoTime() < deadline) {
            state = admin.json("/api/now/table/ecc_queue/" + id + "?sysparm_fields=state").path("result").path("state").asText();
            if (EccRecord.STATE_PROCESSED.equals(state) || EccRecord.STATE_ERROR.equals(state)) {
                return state;
            }
            LockSupport.parkNanos(500_000L);
        }
        return state;
    }

    /** @return the bench agent's output records not yet processed (nothing else is queued for it) */
    private int outstanding() throws IOException, InterruptedException {
        // The Aggregate API counts in the database, on the index the agent's poll uses (agent,
        // queue, state): watching stays light next to the work measured
        return admin.json("/api/now/stats/ecc_queue?sysparm_count=true&sysparm_query=agent=" + EccRecord.AGENT_PREFIX + AGENT
                + "%5Equeue=output%5EstateINready,processing").path("result").path("stats").path("count").asInt(-1);
    }

    private Path echoJar() throws Exception {
        return Path.of(TestJars.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private String base() {
        return "http://127.0.0.1:" + instancePort;
    }

    private void report(Metric m) {
        metrics.add(m);
        out.println(m.json());
        out.flush();
    }

    interface Check {
        boolean test() throws Exception;
    }

    private void until(Duration timeout, String what, Check check) throws Exception {
        until(timeout, what, check, 10);
    }

    private void until(Duration timeout, String what, Check check, long pauseMs) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (check.test()) {
                return;
            }
            for (MidwayProcess p : new MidwayProcess[] {instance, agent}) {
                if (p != null && !p.isAlive()) {
                    throw new IOException(p.role + " ended while waiting for " + what + "; log " + p.log);
                }
            }
            Thread.sleep(pauseMs);
        }
        throw new IOException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
    }

    private static double pct(List<Long> sortedNanos, int p) {
        if (sortedNanos.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sortedNanos.size()) - 1;
        return sortedNanos.get(Math.max(0, Math.min(i, sortedNanos.size() - 1))) / 1e6;
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String secret() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static Path findBenchmarks(Path home) {
        for (Path p = home; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("BENCHMARKS.md"))) {
                return p.resolve("BENCHMARKS.md");
            }
        }
        return null;
    }

    /** The throw-away server's version, read as it starts (it is gone when the table is written). */
    private String postgresVersion;

    private String postgresDescription() {
        if (postgres == null) {
            return "given by MIDWAY_DB_URL";
        }
        return postgresVersion + " on this machine (a throw-away server with PostgreSQL's default settings: fsync, "
                + "synchronous_commit and full_page_writes on)";
    }

    private void writeTable(Path file, long seconds) throws IOException {
        boolean pg = store.equals("postgresql");
        String begin = pg ? PG_BEGIN : BEGIN;
        String end = pg ? PG_END : END;
        StringBuilder t = new StringBuilder();
        t.append(begin).append('\n');
        t.append(pg ? "## The benchmark suite on PostgreSQL (`bin/bench --store postgresql`)\n\n"
                : "## The benchmark suite (`bin/bench`)\n\n");
        t.append("```sh\nmvn -B -DskipTests install && distribution/target/midway/bin/bench").append(quick ? " --quick" : "")
                .append(pg ? " --store postgresql" : "").append("\n```\n\n");
        long memKb = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            memKb = 0;
        }
        t.append("Run ").append(LocalDate.now()).append(" in ").append(seconds).append(" s on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(memKb == 0 ? "?" : fmt(memKb / 1024.0 / 1024.0)).append(" GiB, Java ")
                .append(System.getProperty("java.version")).append(" (").append(System.getProperty("java.vm.name")).append("), ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version")).append(' ')
                .append(System.getProperty("os.arch")).append(". Real bin/instance and bin/agent on loopback; no-op probe: the Echo test fixture. ")
                .append(pg ? "The instance's database: PostgreSQL " + postgresDescription() + ". " : "")
                .append("A figure that misses its target is marked **missed**.\n\n");
        t.append("| metric | value | target | | note |\n|---|---|---|---|---|\n");
        for (Metric m : metrics) {
            t.append("| ").append(m.metric()).append(" | ").append(fmt(Math.round(m.value() * 10) / 10.0)).append(' ').append(m.unit())
                    .append(" | ").append(m.isPeer() ? "—" : (m.higherIsBetter() ? "≥ " : "≤ ") + fmt(m.target())).append(" | ")
                    .append(m.isPeer() ? "peer" : m.met() ? "met" : "**missed**").append(" | ").append(m.note().replace("|", "\\|")).append(" |\n");
        }
        t.append(end);
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b >= 0 && e > b) {
            text = text.substring(0, b) + t + text.substring(e + end.length());
        } else {
            text = text.stripTrailing() + "\n\n" + t + "\n";
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
