package io.midway.agent.internal.transport;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.agent.internal.lifecycle.DaemonThreads;
import io.midway.agent.internal.sync.Sha256;
import io.midway.agent.internal.sync.SyncSource;
import io.midway.api.credential.store.AffinityEntry;
import io.midway.wire.AgentConfigSnapshot;
import io.midway.wire.AgentRecord;
import io.midway.wire.ConfigReport;
import io.midway.wire.InputBatch;
import io.midway.wire.InstanceInfo;
import io.midway.wire.Json;
import io.midway.wire.PollReply;
import io.midway.wire.Registration;
import io.midway.wire.StatusChange;
import io.midway.wire.SyncReport;
import io.midway.wire.SyncSnapshot;

/**
 * The agent-facing HTTP API of the instance (DESIGN §5), over {@link HttpClient} with HTTP Basic
 * authentication. Never logs: callers decide what the operator sees, and the Authorization header
 * and password never leave this class.
 */
public final class InstanceClient implements SyncSource {

    /** Time allowed for a request beyond the long-poll wait. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Time allowed for a file-sync download (up to 64 MiB) to start answering. */
    private static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(5);

    private final ObjectMapper mapper = Json.mapper();
    /** The instance's base URLs (several nodes of one instance), without trailing slashes. */
    private final List<String> baseUrls;
    /** The index of the URL in use: the next is tried when it stops answering. */
    private volatile int current;
    private volatile String user;
    private volatile String authorization;
    /** Whether {@link #user} is the agent's own identity (not the shared enrollment user). */
    private volatile boolean ownIdentity;
    private final HttpClient http;

    /**
     * The threads that complete the client's exchanges: as many as exchanges under way, each ending
     * after a few idle seconds (the JDK's default keeps them a minute, so an idle agent between two
     * long polls held four), shared by every client of this core.
     */
    private static final java.util.concurrent.ExecutorService WORKERS = new java.util.concurrent.ThreadPoolExecutor(0,
            Integer.MAX_VALUE, 5, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(),
            DaemonThreads.numbered("midway-http-"));

    /**
     * @param baseUrl the instance base URL, without a trailing slash; or several, comma-separated
     *     (nodes of one instance, on one database): the client uses the first and moves to the
     *     next when the one in use stops answering (no connection, a timeout, or 503)
     * @param user the mid_server user
     * @param password its password, or {@code null} to send no credentials
     * @param connectTimeout how long to wait for a TCP connection
     * @param tls the TLS context for an https:// instance, or {@code null} for the JDK's default
     */
    public InstanceClient(String baseUrl, String user, String password, Duration connectTimeout, SSLContext tls) {
        this.baseUrls = parseUrls(baseUrl);
        this.user = user;
        this.authorization = password == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(WORKERS);
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
    }

    /**
     * Logs in as the agent's own identity from now on (after its enrollment).
     *
     * @param identityUser the identity's user name
     * @param password its password
     */
    public void useIdentity(String identityUser, String password) {
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (identityUser + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.user = identityUser;
        this.ownIdentity = true;
    }

    /**
     * Logs in as the shared user again, to enroll once more (the identity was refused).
     *
     * @param sharedUser the shared user
     * @param password its password, or {@code null}
     */
    public void useShared(String sharedUser, String password) {
        this.authorization = password == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (sharedUser + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.user = sharedUser;
        this.ownIdentity = false;
    }

    /** @return whether the agent logs in as its own identity */
    public boolean usesOwnIdentity() {
        return ownIdentity;
    }

    /**
     * The answer to a registration.
     *
     * @param agent the agent record the instance holds
     * @param identityUser the user name of the identity the instance made for this agent (at its
     *     enrollment), or {@code null}
     * @param passwordSealed that identity's password sealed for the agent's public key, or {@code null}
     * @param password that password in clear (when the registration carried no key), or {@code null}
     */
    public record Registered(AgentRecord agent, String identityUser, String passwordSealed, String password) {
    }

    /**
     * {@code POST /api/mid/agents/register}, asking for enrollment ({@code ?enroll=true}) when the
     * agent logs in as the shared user.
     *
     * @param registration who we are
     * @return the agent record, and the agent's new identity when the instance enrolled it
     * @throws IOException when the instance cannot be reached or refuses
     * @throws InterruptedException when the calling thread is interrupted
     */
    public Registered enrollOrRegister(Registration registration) throws IOException, InterruptedException {
        String path = "/api/mid/agents/register" + (ownIdentity ? "" : "?enroll=true");
        JsonNode reply = send(post(path, registration, REQUEST_TIMEOUT));
        JsonNode result = reply.path("result");
        if (!result.isObject()) {
            throw new IOException("instance " + baseUrl() + " answered the registration without an agent record");
        }
        JsonNode identity = reply.path("identity");
        return new Registered(mapper.treeToValue(result, AgentRecord.class),
                identity.path("user_name").asText(null), identity.path("password_sealed").asText(null),
                identity.path("password").asText(null));
    }

    /** @return the instance base URL */
    public String baseUrl() {
        return baseUrls.get(current);
    }

    /** @return every base URL, in the order they are tried */
    public List<String> baseUrls() {
        return baseUrls;
    }

    /**
     * @param text one URL or several, comma-separated
     * @return the URLs, trimmed, without trailing slashes
     */
    public static List<String> parseUrls(String text) {
        List<String> urls = new java.util.ArrayList<>();
        for (String part : (text == null ? "" : text).split(",")) {
            String url = part.trim();
            while (url.endsWith("/")) {
                url = url.substring(0, url.length() - 1);
            }
            if (!url.isEmpty()) {
                urls.add(url);
            }
        }
        if (urls.isEmpty()) {
            urls.add(text == null ? "" : text.trim());
        }
        return List.copyOf(urls);
    }

    /**
     * The node at {@code failed} stopped answering: the next URL is used from now on (when the
     * one in use is still that node's; another thread may have moved on already).
     *
     * @param failed the request that failed
     * @return a note for the message, e.g. {@code "; trying https://b next"}, or empty
     */
    private String moveOn(URI failed) {
        if (baseUrls.size() < 2) {
            return "";
        }
        int at = current;
        if (failed.toString().startsWith(baseUrls.get(at) + "/")) {
            current = (at + 1) % baseUrls.size();
        }
        return "; trying " + baseUrls.get(current) + " next";
    }

    /** @return the user we authenticate as */
    public String user() {
        return user;
    }

    /** @return whether a password is set */
    public boolean hasPassword() {
        return authorization != null;
    }

    /**
     * {@code POST /api/mid/agents/register}.
     *
     * @param registration who we are
     * @return the agent record the instance holds for us
     * @throws IOException when the instance cannot be reached or refuses
     * @throws InterruptedException when the calling thread is interrupted
     */
    public AgentRecord register(Registration registration) throws IOException, InterruptedException {
        JsonNode reply = send(post("/api/mid/agents/register", registration, REQUEST_TIMEOUT));
        JsonNode result = reply.path("result");
        if (!result.isObject()) {
            throw new IOException("instance " + baseUrl() + " answered the registration without an agent record");
        }
        return mapper.treeToValue(result, AgentRecord.class);
    }

    /**
     * {@code GET /api/mid/ecc/poll}: waits up to {@code waitMs} for work.
     *
     * @param agentName our name
     * @param max most records to take
     * @param waitMs how long the instance may wait for work
     * @return the reply
     * @throws IOException when the instance cannot be reached or refuses (404: we are not registered)
     * @throws InterruptedException when the calling thread is interrupted
     */
    public PollReply poll(String agentName, int max, long waitMs) throws IOException, InterruptedException {
        return poll(agentName, max, waitMs, null);
    }

    /**
     * {@code GET /api/mid/ecc/poll}, telling the instance the file-sync revision this agent last
     * saw: when the instance has another, it answers at once instead of waiting for work.
     *
     * @param agentName our name
     * @param max most records to take
     * @param waitMs how long the instance may wait for work
     * @param knownRevision the {@code sync_revision} of our last poll reply, or {@code null}
     * @return the reply
     * @throws IOException when the instance cannot be reached or refuses (404: we are not registered)
     * @throws InterruptedException when the calling thread is interrupted
     */
    public PollReply poll(String agentName, int max, long waitMs, String knownRevision)
            throws IOException, InterruptedException {
        return poll(agentName, max, waitMs, knownRevision, null);
    }

    /**
     * {@code GET /api/mid/ecc/poll}, telling the instance the file-sync revision and the instance
     * version this agent last saw: when either changed, the instance answers at once.
     *
     * @param agentName our name
     * @param max most records to take
     * @param waitMs how long the instance may wait for work
     * @param knownRevision the {@code sync_revision} of our last poll reply, or {@code null}
     * @param knownVersion the {@code instance_version} of our last poll reply, or {@code null}
     * @return the reply
     * @throws IOException when the instance cannot be reached or refuses (404: we are not registered)
     * @throws InterruptedException when the calling thread is interrupted
     */
    public PollReply poll(String agentName, int max, long waitMs, String knownRevision, String knownVersion)
            throws IOException, InterruptedException {
        return poll(agentName, max, waitMs, knownRevision, knownVersion, null);
    }

    /**
     * {@code GET /api/mid/ecc/poll}, telling the instance the file-sync revision, the instance
     * version and the credential revision this agent knows: when any changed, the instance
     * answers at once.
     *
     * @param agentName our name
     * @param max most records to take
     * @param waitMs how long the instance may wait for work
     * @param knownRevision the {@code sync_revision} of our last poll reply, or {@code null}
     * @param knownVersion the {@code instance_version} of our last poll reply, or {@code null}
     * @param credentialRevision the revision of the credentials we hold ({@code ""}: none), or
     *     {@code null} when this agent has no credential store
     * @return the reply
     * @throws IOException when the instance cannot be reached or refuses (404: we are not registered)
     * @throws InterruptedException when the calling thread is interrupted
     */
    public PollReply poll(String agentName, int max, long waitMs, String knownRevision, String knownVersion,
            String credentialRevision) throws IOException, InterruptedException {
        return poll(agentName, max, waitMs, knownRevision, knownVersion, credentialRevision, null);
    }

    /**
     * Like {@link #poll(String, int, long, String, String, String)}, also telling the instance the
     * revision of the settings this agent took from it: when that changed, it answers at once.
     *
     * @param agentName our name
     * @param max most records to take
     * @param waitMs how long the instance may wait for work
     * @param knownRevision the {@code sync_revision} of our last poll reply, or {@code null}
     * @param knownVersion the {@code instance_version} of our last poll reply, or {@code null}
     * @param credentialRevision the revision of the credentials we hold, or {@code null}
     * @param configRevision the revision of the settings we took ({@code ""}: none yet), or {@code null}
     * @return the reply
     * @throws IOException when the instance cannot be reached or refuses (404: we are not registered)
     * @throws InterruptedException when the calling thread is interrupted
     */
    public PollReply poll(String agentName, int max, long waitMs, String knownRevision, String knownVersion,
            String credentialRevision, String configRevision) throws IOException, InterruptedException {
        String query = "?agent=" + URLEncoder.encode(agentName, StandardCharsets.UTF_8) + "&max=" + max
                + "&wait_ms=" + waitMs
                + (knownRevision == null ? "" : "&sync_revision=" + URLEncoder.encode(knownRevision, StandardCharsets.UTF_8))
                + (knownVersion == null ? "" : "&instance_version=" + URLEncoder.encode(knownVersion, StandardCharsets.UTF_8))
                + (credentialRevision == null ? ""
                        : "&credential_revision=" + URLEncoder.encode(credentialRevision, StandardCharsets.UTF_8))
                + (configRevision == null ? ""
                        : "&config_revision=" + URLEncoder.encode(configRevision, StandardCharsets.UTF_8));
        HttpRequest request = request("/api/mid/ecc/poll" + query, REQUEST_TIMEOUT.plusMillis(waitMs)).GET().build();
        JsonNode reply = send(request);
        if (!reply.isObject()) {
            throw new IOException("instance " + baseUrl() + " answered the poll with something that is not an object");
        }
        return mapper.treeToValue(reply, PollReply.class);
    }

    /**
     * {@code GET /api/mid/config?agent=NAME}: the settings the instance holds for this agent.
     *
     * @param agentName our name
     * @return the settings and their revision
     * @throws IOException when the instance cannot be reached or refuses
     * @throws InterruptedException when the calling thread is interrupted
     */
    public AgentConfigSnapshot config(String agentName) throws IOException, InterruptedException {
        JsonNode reply = send(request("/api/mid/config?agent=" + URLEncoder.encode(agentName, StandardCharsets.UTF_8),
                REQUEST_TIMEOUT).GET().build());
        if (!reply.isObject() || !reply.path("revision").isValueNode() || !reply.path("result").isArray()) {
            throw new IOException("instance " + baseUrl() + " answered the settings request without a revision "
                    + "and a result list");
        }
        return mapper.treeToValue(reply, AgentConfigSnapshot.class);
    }

    /**
     * {@code POST /api/mid/config/report}: how applying the instance's settings went, and every
     * setting in effect.
     *
     * @param report the report
     * @throws IOException when the instance cannot be reached or refuses
     * @throws InterruptedException when the calling thread is interrupted
     */
    public void reportConfig(ConfigReport report) throws IOException, InterruptedException {
        send(post("/api/mid/config/report", report, REQUEST_TIMEOUT));
    }

    /**
     * {@code GET /api/mid/credentials?agent=NAME}: the credentials for this agent, their secrets
     * sealed for the public key it registered.
     *
     * @param agentName our name
     * @return the reply's JSON text ({@code {"revision":…,"result":[…]}}), for the credential store
     * @throws IOException when the instance cannot be reached or refuses (409: no public key registered)
     * @throws InterruptedException when the calling thread is interrupted
     */
    public String credentials(String agentName) throws IOException, InterruptedException {
        JsonNode reply = send(request("/api/mid/credentials?agent=" + URLEncoder.encode(agentName, StandardCharsets.UTF_8),
                REQUEST_TIMEOUT).GET().build());
        if (!reply.isObject() || !reply.path("revision").isValueNode() || !reply.path("result").isArray()) {
            throw new IOException("instance " + baseUrl() + " answered the credentials request without a revision "
                    + "and a result list");
        }
        return mapper.writeValueAsString(reply);
    }

    /**
     * {@code POST /api/mid/credentials/affinity}: this agent's whole current credential affinity,
     * which replaces what the instance holds for it. No secret: sys_ids, types and targets.
     *
     * @param agentName our name
     * @param entries the whole set
     * @return the instance's reply ({@code result}: {@code agent}, {@code stored}, {@code dropped})
     * @throws IOException when the instance cannot be reached or refuses (404: agent not registered)
     * @throws InterruptedException when the calling thread is interrupted
     */
    public JsonNode postAffinity(String agentName, List<AffinityEntry> entries)
            throws IOException, InterruptedException {
        ObjectNode body = mapper.createObjectNode();
        body.put("agent", agentName);
        ArrayNode list = body.putArray("affinity");
        for (AffinityEntry entry : entries) {
            list.addObject().put("credential", entry.credential()).put("type", entry.type())
                    .put("target", entry.target());
        }
        return send(post("/api/mid/credentials/affinity", body, REQUEST_TIMEOUT));
    }

    /**
     * {@code POST /api/mid/ecc/input}. Idempotent on {@code response_to}: resending is safe.
     *
     * @param batch the results
     * @return the instance's reply ({@code result}: one entry per record)
     * @throws IOException when the instance cannot be reached or refuses (400: a malformed batch)
     * @throws InterruptedException when the calling thread is interrupted
     */
    public JsonNode postInput(InputBatch batch) throws IOException, InterruptedException {
        return send(post("/api/mid/ecc/input", batch, REQUEST_TIMEOUT));
    }

    /**
     * {@code POST /api/mid/agents/status}: pause or resume this agent.
     *
     * @param change the agent and the status wanted
     * @throws IOException when the instance cannot be reached or refuses
     * @throws InterruptedException when the calling thread is interrupted
     */
    public void changeStatus(StatusChange change) throws IOException, InterruptedException {
        send(post("/api/mid/agents/status", change, REQUEST_TIMEOUT));
    }

    /**
     * {@code DELETE /api/mid/ecc/poll?agent=NAME}: this agent stops polling; the instance answers
     * its waiting long poll empty at once, so that work written before the next start waits for
     * that start instead of being leased to a connection nobody reads.
     *
     * @param agentName this agent's name
     * @param timeout how long to try
     * @throws IOException when the instance cannot be reached or refuses
     * @throws InterruptedException when interrupted while waiting
     */
    public void releasePolls(String agentName, Duration timeout) throws IOException, InterruptedException {
        send(request("/api/mid/ecc/poll?agent=" + URLEncoder.encode(agentName, StandardCharsets.UTF_8), timeout).DELETE().build());
    }

    /**
     * {@code GET /api/mid/file_sync/snapshot}.
     *
     * @return what every agent should have from sync
     * @throws IOException when the instance cannot be reached or refuses
     * @throws InterruptedException when the calling thread is interrupted
     */
    @Override
    public SyncSnapshot snapshot() throws IOException, InterruptedException {
        JsonNode reply = send(request("/api/mid/file_sync/snapshot", REQUEST_TIMEOUT).GET().build());
        if (!reply.isObject() || !reply.path("revision").isValueNode()) {
            throw new IOException("instance " + baseUrl() + " answered the file-sync snapshot without a revision");
        }
        return mapper.treeToValue(reply, SyncSnapshot.class);
    }

    /**
     * {@code GET /api/mid/file_sync/files/{sha256}} into a file. The caller verifies the bytes.
     *
     * @param sha256 the file's hash
     * @param target where the bytes go (created or replaced)
     * @throws IOException when the instance cannot be reached or has no such file (404)
     * @throws InterruptedException when the calling thread is interrupted
     */
    @Override
    public void download(String sha256, Path target) throws IOException, InterruptedException {
        download("/api/mid/file_sync/files/", sha256, target);
    }

    /**
     * {@code GET /api/mid/instance_info}: the instance version and the core it offers.
     *
     * @return the reply
     * @throws IOException when the instance cannot be reached or refuses
     * @throws InterruptedException when the calling thread is interrupted
     */
    public InstanceInfo instanceInfo() throws IOException, InterruptedException {
        JsonNode reply = send(request("/api/mid/instance_info", REQUEST_TIMEOUT).GET().build());
        if (!reply.isObject()) {
            throw new IOException("instance " + baseUrl() + " answered instance_info with something that is not an object");
        }
        return mapper.treeToValue(reply, InstanceInfo.class);
    }

    /**
     * {@code GET /api/mid/cores}: the agent core jars the instance stores.
     *
     * @return them, possibly none
     * @throws IOException when the instance cannot be reached or refuses
     * @throws InterruptedException when the calling thread is interrupted
     */
    public java.util.List<InstanceInfo.Core> cores() throws IOException, InterruptedException {
        JsonNode reply = send(request("/api/mid/cores", REQUEST_TIMEOUT).GET().build());
        JsonNode result = reply.path("result");
        if (!result.isArray()) {
            throw new IOException("instance " + baseUrl() + " answered /api/mid/cores without a result list");
        }
        java.util.List<InstanceInfo.Core> out = new java.util.ArrayList<>();
        for (JsonNode core : result) {
            out.add(mapper.treeToValue(core, InstanceInfo.Core.class));
        }
        return out;
    }

    /**
     * {@code GET /api/mid/cores/{sha256}} into a file. The caller verifies the bytes.
     *
     * @param sha256 the core jar's hash
     * @param target where the bytes go (created or replaced)
     * @throws IOException when the instance cannot be reached or has no such core (404)
     * @throws InterruptedException when the calling thread is interrupted
     */
    public void downloadCore(String sha256, Path target) throws IOException, InterruptedException {
        download("/api/mid/cores/", sha256, target);
    }

    private void download(String prefix, String sha256, Path target) throws IOException, InterruptedException {
        if (!Sha256.isValid(sha256)) {
            throw new IOException("not a sha256: " + sha256);
        }
        HttpRequest request = request(prefix + sha256, DOWNLOAD_TIMEOUT,
                "application/java-archive, application/octet-stream, application/json").GET().build();
        HttpResponse<Path> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofFile(target, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
        } catch (IOException e) {
            String url = baseUrl();
            throw new IOException("cannot download " + sha256 + " from instance " + url + ": " + describe(e)
                    + moveOn(request.uri()), e);
        }
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            byte[] body = Files.readAllBytes(target);
            Files.deleteIfExists(target);
            throw new InstanceException(status, "instance " + baseUrl() + " answered " + status + " for file " + sha256
                    + ": " + errorMessage(status, body));
        }
    }

    /**
     * {@code POST /api/mid/file_sync/report}.
     *
     * @param report how applying a snapshot went
     * @throws IOException when the instance cannot be reached or refuses
     * @throws InterruptedException when the calling thread is interrupted
     */
    @Override
    public void report(SyncReport report) throws IOException, InterruptedException {
        send(post("/api/mid/file_sync/report", report, REQUEST_TIMEOUT));
    }

    private HttpRequest post(String path, Object body, Duration timeout) throws IOException {
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IOException("cannot write " + body.getClass().getSimpleName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
        return request(path, timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .build();
    }

    private HttpRequest.Builder request(String path, Duration timeout) throws IOException {
        return request(path, timeout, "application/json");
    }

    private HttpRequest.Builder request(String path, Duration timeout, String accept) throws IOException {
        URI uri;
        try {
            uri = new URI(baseUrl() + path);
        } catch (URISyntaxException e) {
            throw new IOException("instance URL '" + baseUrl() + "' is not a valid URL: " + e.getMessage(), e);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new IOException("instance URL '" + baseUrl() + "' is not an http:// or https:// URL");
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", accept);
        if (authorization != null) {
            if (uri.getScheme().equals("http") && !io.midway.wire.Loopback.isLoopback(uri.getHost())) {
                // The instance refuses credentials over plain HTTP from another host anyway; the
                // password must not cross the network in clear to learn that.
                throw new IOException("instance URL '" + baseUrl() + "' is plain HTTP to another host: the agent does "
                        + "not send its password unencrypted; use https:// (the instance serves HTTPS on 8443 by default)");
            }
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            String url = baseUrl();
            throw new IOException("cannot reach instance " + url + ": " + describe(e) + moveOn(request.uri()), e);
        }
        int status = response.statusCode();
        byte[] body = response.body();
        if (status < 200 || status > 299) {
            String url = baseUrl();
            throw new InstanceException(status, "instance " + url + " answered " + status + ": "
                    + errorMessage(status, body) + (status == 503 ? moveOn(request.uri()) : ""));
        }
        if (body.length == 0) {
            return mapper.createObjectNode();
        }
        try {
            return mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IOException("instance " + baseUrl() + " answered " + request.uri().getPath()
                    + " with something that is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The message of the instance's error reply, with its detail, or a short fallback. */
    private String errorMessage(int status, byte[] body) {
        try {
            JsonNode error = mapper.readTree(body).path("error");
            String message = error.path("message").asText("");
            String detail = error.path("detail").asText("");
            if (!message.isEmpty()) {
                return detail.isEmpty() || detail.equals(message) ? message : message + " (" + detail + ")";
            }
        } catch (IOException e) {
            // not the JSON error shape: fall through to the generic text
        }
        return switch (status) {
            case 400 -> "Bad request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            default -> status >= 500 ? "Server error" : "Request failed";
        };
    }

    /** A short description of a network failure: the type and, where there is one, the message. */
    public static String describe(Throwable e) {
        String message = e.getMessage();
        String type = e.getClass().getSimpleName();
        return message == null || message.isBlank() ? type : type + ": " + message;
    }
}
