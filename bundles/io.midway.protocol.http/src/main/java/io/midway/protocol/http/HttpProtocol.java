package io.midway.protocol.http;

import java.io.IOException;

import org.osgi.annotation.versioning.ProviderType;

import io.midway.api.protocol.Protocol;

/**
 * The {@code http} protocol service: sends one HTTP/1.1 request and reads the answer. Registered
 * with {@code midway.protocol=http}, so an agent that has it advertises the capability
 * {@code http}.
 *
 * <p>Redirects are not followed (a 3xx is an answer like any other), HTTPS host names are
 * verified against the server certificate, and the server certificate must chain to the
 * configured trust store (or to the JDK's authorities when none is configured).
 *
 * <p>Failures are {@link IOException}s whose message is meant for the operator and names the
 * target without its query: {@link java.net.ConnectException} "cannot connect to URL: reason",
 * {@link java.net.http.HttpTimeoutException} "no answer from URL within N ms" (or "no connection
 * to URL within N ms"), {@link javax.net.ssl.SSLException} "TLS: …" (e.g. "TLS: the certificate
 * of URL is not trusted (…)"). No message ever contains a header value or the authorization.
 *
 * <p>Implementations are thread-safe.
 */
@ProviderType
public interface HttpProtocol extends Protocol {

    /** The protocol's name, the value of {@value Protocol#NAME_PROPERTY}. */
    String NAME = "http";

    /**
     * Sends a request and reads the answer, the body up to {@link HttpCall#maxResponseBytes()};
     * the rest of a longer body is not read (the connection is closed) and the answer is marked
     * {@link HttpExchange#truncated() truncated}. Any status is an answer, 4xx and 5xx too.
     *
     * @param call what to send
     * @return the answer
     * @throws IOException when there is no answer: no connection, TLS failure, no complete answer
     *     within {@link HttpCall#timeout()} (which covers the whole exchange, body included)
     * @throws InterruptedException when the calling thread is interrupted; the exchange is
     *     abandoned
     */
    HttpExchange send(HttpCall call) throws IOException, InterruptedException;
}
