package io.midway.agent.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.midway.wire.AgentRecord;
import io.midway.wire.InputBatch;
import io.midway.wire.Json;
import io.midway.wire.PollReply;
import io.midway.wire.Registration;
import io.midway.wire.StatusChange;

/**
 * The agent-facing HTTP API of the instance (DESIGN §5), over {@link HttpClient} with HTTP Basic
 * authentication. Never logs: callers decide what the operator sees, and the Authorization header
 * and password never leave this class.
 */
public final class InstanceClient {

    /** Time allowed for a request beyond the long-poll wait. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final ObjectMapper mapper = Json.mapper();
    private final String baseUrl;
    private final String user;
    private final String authorization;
    private final HttpClient http;

    /**
     * @param baseUrl the instance base URL, without a trailing slash
     * @param user the mid_server user
     * @param password its password, or {@code null} to send no credentials
     * @param connectTimeout how long to wait for a TCP connection
     * @param tls the TLS context for an https:// instance, or {@code null} for the JDK's default
     */
    public InstanceClient(String baseUrl, String user, String password, Duration connectTimeout, SSLContext tls) {
        this.baseUrl = baseUrl;
        this.user = user;
        this.authorization = password == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
    }

    /** @return the instance base URL */
    public String baseUrl() {
        return baseUrl;
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
            throw new IOException("instance " + baseUrl + " answered the registration without an agent record");
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
        String query = "?agent=" + URLEncoder.encode(agentName, StandardCharsets.UTF_8) + "&max=" + max
                + "&wait_ms=" + waitMs;
        HttpRequest request = request("/api/mid/ecc/poll" + query, REQUEST_TIMEOUT.plusMillis(waitMs)).GET().build();
        JsonNode reply = send(request);
        if (!reply.isObject()) {
            throw new IOException("instance " + baseUrl + " answered the poll with something that is not an object");
        }
        return mapper.treeToValue(reply, PollReply.class);
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
        URI uri;
        try {
            uri = new URI(baseUrl + path);
        } catch (URISyntaxException e) {
            throw new IOException("instance URL '" + baseUrl + "' is not a valid URL: " + e.getMessage(), e);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new IOException("instance URL '" + baseUrl + "' is not an http:// or https:// URL");
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IOException("cannot reach instance " + baseUrl + ": " + describe(e), e);
        }
        int status = response.statusCode();
        byte[] body = response.body();
        if (status < 200 || status > 299) {
            throw new InstanceException(status, "instance " + baseUrl + " answered " + status + ": "
                    + errorMessage(status, body));
        }
        if (body.length == 0) {
            return mapper.createObjectNode();
        }
        try {
            return mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IOException("instance " + baseUrl + " answered " + request.uri().getPath()
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
    static String describe(Throwable e) {
        String message = e.getMessage();
        String type = e.getClass().getSimpleName();
        return message == null || message.isBlank() ? type : type + ": " + message;
    }
}
