package io.midway.agent.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import io.midway.agent.internal.sync.Sha256;
import io.midway.wire.AgentRecord;
import io.midway.wire.EccRecord;
import io.midway.wire.ErrorReply;
import io.midway.wire.InputBatch;
import io.midway.wire.InputRecord;
import io.midway.wire.Json;
import io.midway.wire.PollReply;
import io.midway.wire.Registration;
import io.midway.wire.StatusChange;
import io.midway.wire.SyncFile;
import io.midway.wire.SyncReport;
import io.midway.wire.SyncSnapshot;

/** A tiny instance on 127.0.0.1 that speaks the agent-facing API, file sync included, for tests. */
public final class FakeInstance implements AutoCloseable {

    public final Map<String, Registration> agents = new ConcurrentHashMap<>();
    public final List<Registration> registrations = new CopyOnWriteArrayList<>();
    public final LinkedBlockingDeque<EccRecord> outputs = new LinkedBlockingDeque<>();
    /** Accepted results by response_to; the first wins, as on the real instance. */
    public final Map<String, InputRecord> inputs = new ConcurrentHashMap<>();
    public final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    public final List<Integer> pollMaxes = new CopyOnWriteArrayList<>();
    /** The {@code sync_revision} each poll carried ({@code "-"} when it carried none). */
    public final List<String> pollRevisions = new CopyOnWriteArrayList<>();
    public final List<StatusChange> statusChanges = new CopyOnWriteArrayList<>();
    public final List<String> authorizations = new CopyOnWriteArrayList<>();
    public final Set<String> badResponseTo = ConcurrentHashMap.newKeySet();

    public volatile String user = "mid";
    public volatile String password = "secret";
    /** Status answered to every input POST when not 200 (e.g. 503 to play a failing instance). */
    public volatile int inputStatus = 200;
    public volatile String agentStatus = AgentRecord.STATUS_UP;
    /** When set, a registration is answered only once this is counted down (taken at once otherwise). */
    public volatile CountDownLatch holdRegistrations;
    public volatile boolean validated = true;

    /** The file-sync snapshot served, and its revision on every poll reply. */
    private volatile SyncSnapshot snapshot = new SyncSnapshot("0", List.of());
    /** Bytes served per hash; a test may put other bytes under a hash to play a tampered store. */
    public final Map<String, byte[]> files = new ConcurrentHashMap<>();
    /** The hashes agents downloaded, in order. */
    public final List<String> downloads = new CopyOnWriteArrayList<>();
    /** The sync reports received, in order. */
    public final List<SyncReport> reports = new CopyOnWriteArrayList<>();
    /** How many snapshot requests were answered. */
    public final List<String> snapshotRequests = new CopyOnWriteArrayList<>();
    /** Status answered to file-sync requests when not 200 (e.g. 503). */
    public volatile int fileSyncStatus = 200;
    /** Status answered to sync reports when not 200. */
    public volatile int reportStatus = 200;

    /** The instance version on every poll reply ({@code null}: none, so agents never upgrade). */
    public volatile String instanceVersion;
    /** The agent's pin on every poll reply, or {@code null}. */
    public volatile String pinnedVersion;
    /** The core jars offered ({@code GET /api/mid/cores}), by sha256. */
    public final Map<String, byte[]> cores = new ConcurrentHashMap<>();
    /** The listing of the offered cores. */
    public final List<io.midway.wire.InstanceInfo.Core> coreList = new CopyOnWriteArrayList<>();
    /** The core hashes agents downloaded, in order. */
    public final List<String> coreDownloads = new CopyOnWriteArrayList<>();
    /**
     * What agents asked, in the order it arrived: {@code core-download}, {@code status:<status>}
     * (a status change), {@code register}, {@code poll} — the sequence of an upgrade.
     */
    public final List<String> steps = new CopyOnWriteArrayList<>();

    /** The credential revision on every poll reply ({@code null}: none). */
    public volatile String credentialRevision;
    /** The configuration revision on every poll reply ({@code null}: an instance without one). */
    public volatile String configRevision;
    /** What {@code GET /api/mid/config} answers. */
    public volatile io.midway.wire.AgentConfigSnapshot config = new io.midway.wire.AgentConfigSnapshot("0", List.of());
    /** The bodies of {@code POST /api/mid/config/report}, in order. */
    public final List<io.midway.wire.ConfigReport> configReports = new CopyOnWriteArrayList<>();
    /** The {@code config_revision} each poll carried ({@code "-"} when it carried none). */
    public final List<String> pollConfigRevisions = new CopyOnWriteArrayList<>();
    /** What {@code GET /api/mid/credentials} answers; {@code null}: 409, no public key registered. */
    public volatile io.midway.wire.CredentialSync credentials;
    /** The credential requests answered, in order (their query strings). */
    public final List<String> credentialRequests = new CopyOnWriteArrayList<>();
    /** The {@code credential_revision} each poll carried ({@code "-"} when it carried none). */
    public final List<String> pollCredentialRevisions = new CopyOnWriteArrayList<>();
    /** The bodies of {@code POST /api/mid/credentials/affinity} received, in order (refused ones too). */
    public final List<JsonNode> affinityReports = new CopyOnWriteArrayList<>();
    /** The affinity reports answered 200, in order. */
    public final List<JsonNode> affinityAccepted = new CopyOnWriteArrayList<>();
    /** Status answered to affinity reports when not 200 (e.g. 503). */
    public volatile int affinityStatus = 200;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    private final String scheme;

    private FakeInstance(HttpServer server, String scheme) {
        this.server = server;
        this.scheme = scheme;
        server.setExecutor(executor);
        server.createContext("/api/mid/agents/register", this::register);
        server.createContext("/api/mid/agents/status", this::status);
        server.createContext("/api/mid/ecc/poll", this::poll);
        server.createContext("/api/mid/ecc/input", this::input);
        server.createContext("/api/mid/file_sync/snapshot", this::snapshot);
        server.createContext("/api/mid/file_sync/files/", this::file);
        server.createContext("/api/mid/file_sync/report", this::report);
        server.createContext("/api/mid/cores", this::cores);
        server.createContext("/api/mid/instance_info", this::instanceInfo);
        server.createContext("/api/mid/credentials", this::credentials);
        server.createContext("/api/mid/config", this::config);
        server.createContext("/api/mid/credentials/affinity", this::affinity);
        server.start();
    }

    /** @return an instance on a free port of 127.0.0.1 */
    public static FakeInstance start() throws IOException {
        return start(0);
    }

    /**
     * Serves a new snapshot: these jars, with their bytes, under a new revision.
     *
     * @param revision the revision
     * @param jars kind and jar file of each entry
     * @throws IOException when a jar cannot be read
     */
    public void publish(String revision, List<Map.Entry<String, Path>> jars) throws IOException {
        List<SyncFile> entries = new ArrayList<>();
        for (Map.Entry<String, Path> jar : jars) {
            byte[] bytes = Files.readAllBytes(jar.getValue());
            String sha = Sha256.of(jar.getValue());
            String name;
            String version;
            try (JarFile file = new JarFile(jar.getValue().toFile())) {
                name = file.getManifest().getMainAttributes().getValue("Bundle-SymbolicName").split(";")[0].trim();
                version = file.getManifest().getMainAttributes().getValue("Bundle-Version");
            }
            files.put(sha, bytes);
            entries.add(new SyncFile(name + "-" + version + ".jar", jar.getKey(), name, version, sha, bytes.length));
        }
        entries.sort(Comparator.comparing(SyncFile::symbolicName));
        snapshot = new SyncSnapshot(revision, entries);
    }

    /**
     * Offers a core jar (as {@code POST /api/mid/admin/upgrade} would) and makes its version the
     * instance version.
     *
     * @param jar the jar
     * @return its sha256
     * @throws IOException when it cannot be read
     */
    public String publishCore(Path jar) throws IOException {
        byte[] bytes = Files.readAllBytes(jar);
        String sha = Sha256.of(jar);
        String name;
        String version;
        try (JarFile file = new JarFile(jar.toFile())) {
            name = file.getManifest().getMainAttributes().getValue("Bundle-SymbolicName").split(";")[0].trim();
            version = file.getManifest().getMainAttributes().getValue("Bundle-Version");
        }
        cores.put(sha, bytes);
        coreList.removeIf(c -> c.version().equals(version));
        coreList.add(new io.midway.wire.InstanceInfo.Core(name, version, sha, bytes.length));
        instanceVersion = version;
        return sha;
    }

    private void cores(HttpExchange exchange) throws IOException {
        if (!authorized(exchange)) {
            return;
        }
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/api/mid/cores") || path.equals("/api/mid/cores/")) {
            reply(exchange, 200, Map.of("result", List.copyOf(coreList)));
            return;
        }
        String sha = path.substring("/api/mid/cores/".length());
        coreDownloads.add(sha);
        steps.add("core-download");
        byte[] bytes = cores.get(sha);
        if (bytes == null) {
            error(exchange, 404, "No core with sha256 " + sha, "");
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "application/java-archive");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private void config(HttpExchange exchange) throws IOException {
        if (!authorized(exchange)) {
            return;
        }
        if (exchange.getRequestURI().getPath().equals("/api/mid/config/report")) {
            configReports.add(Json.mapper().readValue(body(exchange), io.midway.wire.ConfigReport.class));
            reply(exchange, 200, Map.of("result", "ok"));
            return;
        }
        reply(exchange, 200, config);
    }

    private void credentials(HttpExchange exchange) throws IOException {
        if (!authorized(exchange)) {
            return;
        }
        credentialRequests.add(exchange.getRequestURI().getQuery());
        io.midway.wire.CredentialSync sync = credentials;
        if (sync == null) {
            error(exchange, 409, "Agent has no public key", "register with public_key first");
            return;
        }
        reply(exchange, 200, sync);
    }

    private void affinity(HttpExchange exchange) throws IOException {
        if (!authorized(exchange)) {
            return;
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            error(exchange, 405, "Method not allowed", "POST");
            return;
        }
        JsonNode body = Json.mapper().readTree(body(exchange));
        affinityReports.add(body);
        if (affinityStatus != 200) {
            error(exchange, affinityStatus, "Affinity refused (test)", "status " + affinityStatus);
            return;
        }
        affinityAccepted.add(body);
        ObjectNode result = Json.mapper().createObjectNode();
        result.putObject("result").put("agent", body.path("agent").asText())
                .put("stored", body.path("affinity").size()).put("dropped", 0);
        reply(exchange, 200, result);
    }

    private void instanceInfo(HttpExchange exchange) throws IOException {
        Map<String, Object> info = new HashMap<>();
        info.put("version", instanceVersion);
        info.put("core", null);
        reply(exchange, 200, info);
    }

    /** @param value the snapshot to serve as is */
    public void snapshot(SyncSnapshot value) {
        snapshot = value;
    }

    /** @return the snapshot served */
    public SyncSnapshot snapshot() {
        return snapshot;
    }

    public static FakeInstance start(int port) throws IOException {
        return new FakeInstance(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50),
                "http");
    }

    /** An HTTPS instance with the key in the given context. */
    public static FakeInstance startHttps(SSLContext tls) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        return new FakeInstance(server, "https");
    }

    /** @return the base URL */
    public String url() {
        return scheme + "://127.0.0.1:" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void offer(EccRecord record) {
        outputs.add(record);
    }

    public void forgetAgents() {
        agents.clear();
    }

    private void snapshot(HttpExchange exchange) throws IOException {
        if (!authorized(exchange)) {
            return;
        }
        snapshotRequests.add(exchange.getRequestURI().toString());
        if (fileSyncStatus != 200) {
            error(exchange, fileSyncStatus, "Service unavailable", "the instance is restarting");
            return;
        }
        reply(exchange, 200, snapshot);
    }

    private void file(HttpExchange exchange) throws IOException {
        if (!authorized(exchange)) {
            return;
        }
        String sha = exchange.getRequestURI().getPath().substring("/api/mid/file_sync/files/".length());
        downloads.add(sha);
        if (fileSyncStatus != 200) {
            error(exchange, fileSyncStatus, "Service unavailable", "the instance is restarting");
            return;
        }
        byte[] bytes = files.get(sha);
        if (bytes == null) {
            error(exchange, 404, "No file with sha256 " + sha, "");
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "application/java-archive");
        exchange.getResponseHeaders().add("X-Midway-Sha256", sha);
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private void report(HttpExchange exchange) throws IOException {
        if (!authorized(exchange)) {
            return;
        }
        if (reportStatus != 200) {
            error(exchange, reportStatus, "Service unavailable", "the instance is restarting");
            return;
        }
        reports.add(Json.mapper().readValue(body(exchange), SyncReport.class));
        reply(exchange, 200, Map.of("result", "ok"));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    public static EccRecord record(String sysId, String topic, Integer priority, JsonNode payload) {
        return new EccRecord(sysId, "mid.server.test", topic, "name-" + sysId, "127.0.0.1", payload,
                EccRecord.QUEUE_OUTPUT, EccRecord.STATE_PROCESSING, null, priority, null, "2026-11-21 10:00:00", null);
    }

    private boolean authorized(HttpExchange exchange) throws IOException {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        authorizations.add(header == null ? "" : header);
        String expected = "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        if (expected.equals(header)) {
            return true;
        }
        exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"midway\"");
        error(exchange, 401, "User Not Authenticated", "Required to provide Auth information");
        return false;
    }

    private void register(HttpExchange exchange) throws IOException {
        if (!authorized(exchange)) {
            return;
        }
        Registration registration = Json.mapper().readValue(body(exchange), Registration.class);
        registrations.add(registration);
        steps.add("register");
        agents.put(registration.name(), registration);
        CountDownLatch hold = holdRegistrations;
        if (hold != null) {
            try {
                hold.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        AgentRecord record = new AgentRecord("agent-" + registration.name(), registration.name(), agentStatus,
                validated, registration.version(), registration.hostName(), registration.ipAddress(),
                "2026-11-21 10:00:00", registration.capabilities(), List.of(), List.of(), "", false);
        reply(exchange, 201, Map.of("result", record));
    }

    private void status(HttpExchange exchange) throws IOException {
        if (!authorized(exchange)) {
            return;
        }
        StatusChange change = Json.mapper().readValue(body(exchange), StatusChange.class);
        if (!agents.containsKey(change.name())) {
            error(exchange, 404, "Agent '" + change.name() + "' is not registered", "");
            return;
        }
        statusChanges.add(change);
        steps.add("status:" + change.status());
        agentStatus = change.status();
        reply(exchange, 200, Map.of("result", Map.of("name", change.name(), "status", change.status())));
    }

    private void poll(HttpExchange exchange) throws IOException {
        if (!authorized(exchange)) {
            return;
        }
        Map<String, String> query = query(exchange);
        String agent = query.get("agent");
        if (agent == null || !agents.containsKey(agent)) {
            error(exchange, 404, "Agent '" + agent + "' is not registered", "register first");
            return;
        }
        int max = Integer.parseInt(query.getOrDefault("max", "1"));
        long waitMs = Long.parseLong(query.getOrDefault("wait_ms", "0"));
        pollMaxes.add(max);
        steps.add("poll");
        pollRevisions.add(query.getOrDefault("sync_revision", "-"));
        pollCredentialRevisions.add(query.getOrDefault("credential_revision", "-"));
        pollConfigRevisions.add(query.getOrDefault("config_revision", "-"));
        List<EccRecord> records = new ArrayList<>();
        try {
            EccRecord first = outputs.poll(waitMs, TimeUnit.MILLISECONDS);
            if (first != null) {
                records.add(first);
                outputs.drainTo(records, max - 1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reply(exchange, 200, new PollReply(records, snapshot.revision(), instanceVersion, agentStatus, validated,
                pinnedVersion, credentialRevision, configRevision));
    }

    private void input(HttpExchange exchange) throws IOException {
        if (!authorized(exchange)) {
            return;
        }
        InputBatch batch = Json.mapper().readValue(body(exchange), InputBatch.class);
        if (inputStatus != 200) {
            error(exchange, inputStatus, "Service unavailable", "the instance is restarting");
            return;
        }
        for (InputRecord record : batch.records()) {
            if (badResponseTo.contains(record.responseTo())) {
                error(exchange, 400, "Unknown output record '" + record.responseTo() + "'", "");
                return;
            }
        }
        batchSizes.add(batch.records().size());
        List<Map<String, String>> result = new ArrayList<>();
        for (InputRecord record : batch.records()) {
            boolean inserted = inputs.putIfAbsent(record.responseTo(), record) == null;
            result.add(Map.of("response_to", record.responseTo(), "sys_id", "in-" + record.responseTo(),
                    "status", inserted ? "inserted" : "duplicate"));
        }
        reply(exchange, 200, Map.of("result", result));
    }

    private static byte[] body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return in.readAllBytes();
        }
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> out = new HashMap<>();
        String raw = exchange.getRequestURI().getQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(pair.substring(0, eq),
                            java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    private static void error(HttpExchange exchange, int status, String message, String detail) throws IOException {
        reply(exchange, status, ErrorReply.of(message, detail));
    }

    private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] json = Json.mapper().writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, json.length);
        exchange.getResponseBody().write(json);
        exchange.close();
    }

    public static ObjectNode object() {
        return Json.mapper().createObjectNode();
    }
}
