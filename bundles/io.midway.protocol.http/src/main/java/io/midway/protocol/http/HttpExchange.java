package io.midway.protocol.http;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The answer to an {@link HttpCall}: status, headers, and the body as far as it was read.
 */
@ProviderType
public final class HttpExchange {

    private final int status;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final boolean truncated;

    /**
     * @param status the HTTP status code
     * @param headers the response headers by name (copied; names are compared ignoring case)
     * @param body the body bytes read (copied)
     * @param truncated whether the body was longer than the call's limit and only its start was
     *     read
     */
    public HttpExchange(int status, Map<String, List<String>> headers, byte[] body, boolean truncated) {
        this.status = status;
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Objects.requireNonNull(headers, "headers").forEach((name, values) -> copy.put(name, List.copyOf(values)));
        this.headers = Collections.unmodifiableMap(copy);
        this.body = Objects.requireNonNull(body, "body").clone();
        this.truncated = truncated;
    }

    /** @return the HTTP status code, e.g. 200 or 404 */
    public int status() {
        return status;
    }

    /** @return the response headers by name, sorted ignoring case; unmodifiable */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /**
     * @param name a header name, any case
     * @return its first value, or empty
     */
    public Optional<String> firstHeader(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** @return a copy of the body bytes read */
    public byte[] body() {
        return body.clone();
    }

    /** @return the number of body bytes read */
    public int bodyLength() {
        return body.length;
    }

    /** @return whether the body was longer than the limit, so that only its start is here */
    public boolean truncated() {
        return truncated;
    }

    @Override
    public String toString() {
        return "HttpExchange[" + status + ", " + headers.size() + " header(s), " + body.length + " body byte(s)"
                + (truncated ? ", truncated" : "") + "]";
    }
}
