package io.midway.protocol.http.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/** A real HTTP or HTTPS server on 127.0.0.1 with a random port, for tests. */
public final class LoopbackServer implements AutoCloseable {

    /** Released on close: handlers that "never answer" wait for it. */
    final CountDownLatch closing = new CountDownLatch(1);
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final String scheme;

    private LoopbackServer(HttpServer server, String scheme) {
        this.server = server;
        this.scheme = scheme;
        server.setExecutor(executor);
        server.start();
    }

    public static LoopbackServer http() throws IOException {
        return new LoopbackServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), "http");
    }

    public static LoopbackServer https(SSLContext context) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        return new LoopbackServer(server, "https");
    }

    public LoopbackServer on(String path, HttpHandler handler) {
        server.createContext(path, handler);
        return this;
    }

    public URI uri(String path) {
        return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** Answers with a status, a content type and a text body. */
    public static void answer(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        answer(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    public static void answer(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getRequestBody().readAllBytes();
        if (contentType != null) {
            exchange.getResponseHeaders().add("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** A handler that keeps the request open until the server closes. */
    public HttpHandler neverAnswering() {
        return exchange -> {
            try {
                closing.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        };
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
