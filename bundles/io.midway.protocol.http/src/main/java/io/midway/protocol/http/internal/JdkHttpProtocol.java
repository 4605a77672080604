package io.midway.protocol.http.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.protocol.MidwayProtocol;
import io.midway.api.protocol.Protocol;
import io.midway.protocol.http.HttpCall;
import io.midway.protocol.http.HttpExchange;
import io.midway.protocol.http.HttpProtocol;

/**
 * The {@code http} protocol on the JDK's {@link HttpClient}: HTTP/1.1, no redirects followed,
 * host names verified, the trust store of the configuration.
 */
@Component(service = {HttpProtocol.class, Protocol.class}, configurationPid = JdkHttpProtocol.PID)
@MidwayProtocol(HttpProtocol.NAME)
@Designate(ocd = HttpProtocolConfiguration.class)
public class JdkHttpProtocol implements HttpProtocol {

    /** The configuration PID. */
    public static final String PID = "io.midway.protocol.http";

    private static final Logger LOG = LoggerFactory.getLogger(JdkHttpProtocol.class);
    private static final int DEFAULT_CONNECT_TIMEOUT_MS = 10000;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final ExecutorService executor;
    private final SSLContext sslContext;
    private final Object clientLock = new Object();
    private HttpClient client;
    /** Why the configured trust store is unusable, or {@code null}; HTTPS calls fail with it. */
    private final String trustFailure;
    private final int connectTimeoutMs;

    /**
     * @param config the configuration
     */
    @Activate
    public JdkHttpProtocol(HttpProtocolConfiguration config) {
        int connectTimeout = config.connect_timeout_ms();
        if (connectTimeout < 1 || connectTimeout > 300000) {
            LOG.warn("connect.timeout.ms={} is outside 1-300000; using {}", connectTimeout, DEFAULT_CONNECT_TIMEOUT_MS);
            connectTimeout = DEFAULT_CONNECT_TIMEOUT_MS;
        }
        this.connectTimeoutMs = connectTimeout;
        String path = config.truststore_path() == null ? "" : config.truststore_path().trim();
        String password = config.truststore_password() == null ? "" : config.truststore_password();
        SSLContext sslContext = null;
        String failure = null;
        if (!path.isEmpty()) {
            try {
                sslContext = TrustMaterial.sslContext(Path.of(path), password);
                LOG.info("HTTPS trusts the certificates of {}", path);
            } catch (IOException | RuntimeException e) {
                failure = e.getMessage();
                LOG.error("HTTPS calls will fail: {}", failure);
            }
        }
        this.trustFailure = failure;
        this.sslContext = sslContext;
        this.executor = Executors.newCachedThreadPool(daemonThreads());
    }

    /**
     * @return the JDK client, made at the first call: it starts a selector thread and loads a few
     *     hundred classes, which an agent that never calls HTTP need not pay for at its start
     */
    private HttpClient client() {
        synchronized (clientLock) {
            if (client == null) {
                SSLParameters tls = new SSLParameters();
                tls.setEndpointIdentificationAlgorithm("HTTPS");
                HttpClient.Builder builder = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .connectTimeout(Duration.ofMillis(connectTimeoutMs))
                        .executor(executor)
                        .sslParameters(tls);
                if (sslContext != null) {
                    builder.sslContext(sslContext);
                }
                client = builder.build();
            }
            return client;
        }
    }

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
    }

    @Override
    public HttpExchange send(HttpCall call) throws IOException, InterruptedException {
        URI uri = call.uri();
        String target = HttpCall.display(uri);
        if (trustFailure != null && "https".equalsIgnoreCase(uri.getScheme())) {
            throw new SSLException("TLS: cannot call " + target + ": " + trustFailure + " (configuration " + PID + ")");
        }
        long timeoutMs = Math.max(1, call.timeout().toMillis());
        byte[] body = call.body();
        HttpRequest.BodyPublisher publisher = body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .version(HttpClient.Version.HTTP_1_1)
                .timeout(call.timeout())
                .method(call.method(), publisher);
        for (Map.Entry<String, List<String>> header : call.headers().entrySet()) {
            for (String value : header.getValue()) {
                request.header(header.getKey(), value);
            }
        }
        call.authorization().ifPresent(value -> request.header("Authorization", value));

        AtomicReference<BoundedBody> reading = new AtomicReference<>();
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<BoundedBody.Content>> answer = client().sendAsync(request.build(), info -> {
            BoundedBody subscriber = new BoundedBody(call.maxResponseBytes());
            reading.set(subscriber);
            return subscriber;
        });
        HttpResponse<BoundedBody.Content> response;
        try {
            response = answer.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            abandon(answer, reading);
            throw new HttpTimeoutException("no answer from " + target + " within " + timeoutMs + " ms");
        } catch (InterruptedException e) {
            abandon(answer, reading);
            throw e;
        } catch (ExecutionException e) {
            throw failure(e.getCause(), uri, timeoutMs);
        }
        BoundedBody.Content content = response.body();
        LOG.debug("{} {} -> {} ({} body bytes{}) in {} ms", call.method(), target, response.statusCode(), content.bytes.length,
                content.truncated ? ", truncated" : "", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return new HttpExchange(response.statusCode(), response.headers().map(), content.bytes, content.truncated);
    }

    private static void abandon(CompletableFuture<?> answer, AtomicReference<BoundedBody> reading) {
        BoundedBody subscriber = reading.get();
        if (subscriber != null) {
            subscriber.cancel();
        }
        answer.cancel(true);
    }

    /** Turns a failure of the client into an exception with a message for the operator. */
    private IOException failure(Throwable cause, URI uri, long timeoutMs) {
        String target = HttpCall.display(uri);
        if (cause instanceof HttpConnectTimeoutException) {
            return withCause(new HttpConnectTimeoutException("no connection to " + target + " within " + connectTimeoutMs
                    + " ms (connect.timeout.ms)"), cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return withCause(new HttpTimeoutException("no answer from " + target + " within " + timeoutMs + " ms"), cause);
        }
        if (find(cause, UnresolvedAddressException.class) != null || find(cause, UnknownHostException.class) != null) {
            return withCause(new UnknownHostException("cannot connect to " + target + ": unknown host '" + uri.getHost() + "'"), cause);
        }
        SSLException tls = find(cause, SSLException.class);
        if (tls != null) {
            return withCause(tlsFailure(cause, target, uri.getHost()), cause);
        }
        ConnectException refused = find(cause, ConnectException.class);
        if (refused != null) {
            // the JDK client reports a refused connection as a ConnectException without a message
            String reason = refused.getMessage() == null || refused.getMessage().isBlank() ? "Connection refused" : refused.getMessage();
            return withCause(new ConnectException("cannot connect to " + target + ": " + reason), cause);
        }
        if (cause instanceof IllegalArgumentException) {
            return new IOException("cannot send the request to " + target + ": " + cause.getMessage(), cause);
        }
        return new IOException("HTTP exchange with " + target + " failed: " + deepestMessage(cause), cause);
    }

    private static SSLException tlsFailure(Throwable cause, String target, String host) {
        CertificateException certificate = find(cause, CertificateException.class);
        String detail = deepestMessage(cause);
        String message;
        if (certificate != null && certificate.getMessage() != null
                && (certificate.getMessage().contains("No subject alternative") || certificate.getMessage().contains("No name matching"))) {
            message = "TLS: the certificate of " + target + " does not match the host name '" + host + "' (" + certificate.getMessage() + ")";
        } else if (find(cause, CertPathBuilderException.class) != null || find(cause, CertPathValidatorException.class) != null
                || detail.contains("PKIX") || detail.contains("certification path")) {
            message = "TLS: the certificate of " + target + " is not trusted (" + detail + "); add its issuer to truststore.path of "
                    + PID;
        } else {
            message = "TLS: handshake with " + target + " failed: " + detail;
        }
        return new SSLHandshakeException(message);
    }

    private static <T extends IOException> T withCause(T exception, Throwable cause) {
        exception.initCause(cause);
        return exception;
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** @return the message of the innermost cause that has one, else the outer class name */
    private static String deepestMessage(Throwable failure) {
        String message = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message != null ? message : failure.getClass().getSimpleName();
    }

    private static ThreadFactory daemonThreads() {
        return runnable -> {
            Thread thread = new Thread(runnable, "midway-http-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
