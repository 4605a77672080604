package io.midway.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

/**
 * The control of the {@code machine_floor} step: the JDK's own HTTP server on loopback answering
 * every request with the same small JSON body and doing nothing else, in a JVM of its own, so
 * that the cost of a request on this machine can be told apart from the cost of Midway's work.
 *
 * Run it with {@code sun.net.httpserver.nodelay=true}: without TCP_NODELAY the server's separate
 * header and body writes wait for the client's delayed ACK, 40 ms a request on a kept-alive
 * connection.
 *
 * <pre>
 * java -Dsun.net.httpserver.nodelay=true -cp lib/bench/* io.midway.bench.PlainServer PORT
 * </pre>
 */
public final class PlainServer {

    private static final byte[] BODY = "{\"result\":{\"name\":\"plain\"}}".getBytes(StandardCharsets.UTF_8);

    private PlainServer() {
    }

    /**
     * @param args the loopback port
     * @throws IOException when the port cannot be bound
     */
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, BODY.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(BODY);
            }
        });
        server.start();
        System.out.println("listening on " + port);
    }
}
