package io.midway.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** HTTP with Basic authentication against one base URL. */
final class BenchHttp {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newFixedThreadPool(8, r -> {
                Thread t = new Thread(r, "bench-http");
                t.setDaemon(true);
                return t;
            })).build();

    private final String base;
    private final String auth;

    BenchHttp(String base, String user, String password) {
        this.base = base;
        this.auth = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path.replace("^", "%5E"))).timeout(timeout);
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return b;
    }

    HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path, Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<String>> sendAsync(String method, String path, String body, Duration timeout) {
        HttpRequest.Builder b = request(path, timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return CLIENT.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> sendBytes(String method, String path, byte[] body, String contentType)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path, Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", contentType);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A blocking POST over {@link java.net.HttpURLConnection}, which keeps connections alive per
     * thread and costs far less CPU than the asynchronous client: for load generators that share
     * the machine with what they measure.
     *
     * @return the status code and the body
     */
    java.util.Map.Entry<Integer, String> postLean(String path, String body) throws IOException {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) URI.create(base + path.replace("^", "%5E")).toURL().openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setConnectTimeout(5000);
        c.setReadTimeout(30000);
        if (auth != null) {
            c.setRequestProperty("Authorization", auth);
        }
        c.setRequestProperty("Content-Type", "application/json");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        c.setFixedLengthStreamingMode(bytes.length);
        try (java.io.OutputStream out = c.getOutputStream()) {
            out.write(bytes);
        }
        int status = c.getResponseCode();
        try (java.io.InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
            return java.util.Map.entry(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /**
     * A blocking GET over {@link java.net.HttpURLConnection} on a kept-alive connection (see
     * {@link #postLean(String, String)}), the body read and dropped.
     *
     * @param url the whole URL
     * @return the status code
     * @throws IOException when the request fails
     */
    static int getLean(String url) throws IOException {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(30000);
        int status = c.getResponseCode();
        try (java.io.InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
            if (in != null) {
                in.readAllBytes();
            }
        }
        return status;
    }

    /** GET expecting 200, as JSON. */
    JsonNode json(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = send("GET", path, null);
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Sends, expecting a 2xx, as JSON. */
    JsonNode expect(String method, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = send(method, path, body);
        if (r.statusCode() / 100 != 2) {
            throw new IOException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
