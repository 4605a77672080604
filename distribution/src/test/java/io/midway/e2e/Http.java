package io.midway.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A small HTTP client with Basic auth for the tests. */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private final String base;
    private final String auth;
    private final HttpClient client;

    /** @return the base URL */
    String base() {
        return base;
    }

    Http(String base, String user, String password) {
        this(base, user, password, CLIENT);
    }

    /**
     * A client of an agent's console, which tries a refused connection again for a few seconds: an
     * agent is Up as soon as its core, protocols and probes run, and its HTTP server (started with
     * the Web Console beside its connection) may open a moment later.
     */
    static Http agentConsole(String base, String user, String password) {
        Http http = new Http(base, user, password, CLIENT);
        http.retryConnect = true;
        return http;
    }

    /** Whether a refused connection is tried again (an agent console that may not be open yet). */
    private boolean retryConnect;

    /** Over the given client, e.g. one that trusts an HTTPS instance's certificate or presents a client certificate. */
    Http(String base, String user, String password, HttpClient client) {
        this.client = client;
        this.base = base;
        this.auth = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        // '^' (the sysparm_query "and") is not allowed unencoded in a URI.
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path.replace("^", "%5E"))).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return exchange(b.build());
    }

    /**
     * Sends a request; for an agent console ({@link #agentConsole}), tries again for a few seconds
     * while nothing listens on the port yet.
     */
    private HttpResponse<String> exchange(HttpRequest request) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(CONNECT_RETRY_SECONDS).toNanos();
        while (true) {
            try {
                return client.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (java.net.ConnectException e) {
                if (!retryConnect || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** How long {@link #exchange} tries again on a refused connection. */
    private static final int CONNECT_RETRY_SECONDS = 10;

    /** Sends raw bytes, e.g. a jar, with the given content type. */
    HttpResponse<String> sendBytes(String method, String path, byte[] body, String contentType)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", contentType);
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return exchange(b.build());
    }

    java.util.concurrent.CompletableFuture<HttpResponse<String>> sendAsync(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path.replace("^", "%5E")))
                .timeout(Duration.ofSeconds(60)).GET();
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    /** GET expecting 200, as JSON. */
    JsonNode json(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = get(path);
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    static JsonNode parse(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }
}
