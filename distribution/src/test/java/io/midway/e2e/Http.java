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
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends raw bytes, e.g. a jar, with the given content type. */
    HttpResponse<String> sendBytes(String method, String path, byte[] body, String contentType)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", contentType);
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
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
