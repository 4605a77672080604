package io.midway.protocol.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One HTTP request to send with {@link HttpProtocol#send(HttpCall)}: an immutable value made with
 * {@link #to(URI)}.
 *
 * <pre>
 * HttpCall call = HttpCall.to(URI.create("https://cmdb.example.com/api/hosts"))
 *         .method("POST")
 *         .header("Content-Type", "application/json")
 *         .body(json)
 *         .basicAuth(user, password)
 *         .timeout(Duration.ofSeconds(10))
 *         .maxResponseBytes(1 &lt;&lt; 20)
 *         .build();
 * </pre>
 *
 * <p>Its {@link #toString()} shows the method, the URL without its query, and counts; never a
 * header value, the body or the authorization.
 */
@ProviderType
public final class HttpCall {

    /** Default {@link #timeout()}: 30 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** Default {@link #maxResponseBytes()}: 1 MiB. */
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 1L << 20;

    /** The largest {@link #maxResponseBytes()} accepted: what one byte array can hold. */
    public static final long LARGEST_MAX_RESPONSE_BYTES = Integer.MAX_VALUE - 8;

    /** Headers the HTTP client sets itself; a call may not give them. */
    private static final Set<String> CLIENT_HEADERS = Set.of("connection", "content-length", "expect", "host", "upgrade");

    private final String method;
    private final URI uri;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final Duration timeout;
    private final long maxResponseBytes;
    private final String authorization;

    private HttpCall(Builder builder) {
        this.method = builder.method;
        this.uri = builder.uri;
        Map<String, List<String>> copy = new LinkedHashMap<>();
        builder.headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        this.headers = Collections.unmodifiableMap(copy);
        this.body = builder.body.clone();
        this.timeout = builder.timeout;
        this.maxResponseBytes = builder.maxResponseBytes;
        this.authorization = builder.authorization;
    }

    /**
     * Starts a call: {@code GET}, no header, no body, {@link #DEFAULT_TIMEOUT},
     * {@link #DEFAULT_MAX_RESPONSE_BYTES}, no authorization.
     *
     * @param uri an absolute {@code http} or {@code https} URI with a host and without user
     *     information (checked by {@link Builder#build()})
     * @return a builder
     */
    public static Builder to(URI uri) {
        return new Builder(Objects.requireNonNull(uri, "uri"));
    }

    /** @return the method, e.g. {@code GET} */
    public String method() {
        return method;
    }

    /** @return the target */
    public URI uri() {
        return uri;
    }

    /** @return the request headers by name, in the order given; unmodifiable */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** @return a copy of the request body, empty when there is none */
    public byte[] body() {
        return body.clone();
    }

    /** @return how long the whole exchange may take, answer body included */
    public Duration timeout() {
        return timeout;
    }

    /** @return how many bytes of the response body are read at most */
    public long maxResponseBytes() {
        return maxResponseBytes;
    }

    /**
     * The value of the {@code Authorization} header, when the call was given credentials. It is a
     * secret: never log or show it.
     *
     * @return {@code Basic …} or {@code Bearer …}, or empty
     */
    public Optional<String> authorization() {
        return Optional.ofNullable(authorization);
    }

    /**
     * @param uri a URI
     * @return it as {@code scheme://host:port/path}, without user information, query or fragment:
     *     safe for messages and logs
     */
    public static String display(URI uri) {
        if (uri.getHost() == null) {
            return String.valueOf(uri.getScheme()) + ":…";
        }
        String host = uri.getHost();
        StringBuilder text = new StringBuilder().append(uri.getScheme()).append("://").append(host);
        if (uri.getPort() >= 0) {
            text.append(':').append(uri.getPort());
        }
        String path = uri.getRawPath();
        text.append(path == null || path.isEmpty() ? "/" : path);
        return text.toString();
    }

    @Override
    public String toString() {
        return "HttpCall[" + method + " " + display(uri) + ", " + headers.size() + " header(s), " + body.length + " body byte(s)"
                + (authorization == null ? "" : ", with authorization") + "]";
    }

    /** Builds an {@link HttpCall}. Not thread-safe. */
    public static final class Builder {

        private String method = "GET";
        private final URI uri;
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private byte[] body = new byte[0];
        private Duration timeout = DEFAULT_TIMEOUT;
        private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
        private String authorization;

        private Builder(URI uri) {
            this.uri = uri;
        }

        /**
         * @param method an HTTP method token, e.g. {@code POST}
         * @return this builder
         * @throws IllegalArgumentException when it is not an HTTP token
         */
        public Builder method(String method) {
            if (method == null || !isToken(method)) {
                throw new IllegalArgumentException("'" + shorten(String.valueOf(method)) + "' is not an HTTP method");
            }
            this.method = method;
            return this;
        }

        /**
         * Adds a header value; a name given several times is sent several times.
         *
         * @param name the header name, e.g. {@code Accept}
         * @param value the value
         * @return this builder
         * @throws IllegalArgumentException when the name is not an HTTP token, is one the client
         *     sets itself ({@code Connection, Content-Length, Expect, Host, Upgrade}), or the value
         *     holds a line break or other control character (the value is never quoted)
         */
        public Builder header(String name, String value) {
            if (name == null || !isToken(name)) {
                throw new IllegalArgumentException("'" + shorten(String.valueOf(name)) + "' is not a valid header name");
            }
            if (CLIENT_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("header '" + name + "' is set by the HTTP client and cannot be given");
            }
            Objects.requireNonNull(value, "value");
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    throw new IllegalArgumentException("the value of header '" + name + "' holds a control character");
                }
            }
            for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
                if (entry.getKey().equalsIgnoreCase(name)) {
                    entry.getValue().add(value);
                    return this;
                }
            }
            List<String> values = new ArrayList<>();
            values.add(value);
            headers.put(name, values);
            return this;
        }

        /**
         * @param body the request body (copied), empty for none
         * @return this builder
         */
        public Builder body(byte[] body) {
            this.body = Objects.requireNonNull(body, "body").clone();
            return this;
        }

        /**
         * @param timeout how long the whole exchange may take, positive
         * @return this builder
         * @throws IllegalArgumentException when not positive
         */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("the timeout must be positive, not " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * @param maxResponseBytes how many bytes of the answer body to read at most, from 0 to
         *     {@link HttpCall#LARGEST_MAX_RESPONSE_BYTES}
         * @return this builder
         * @throws IllegalArgumentException when out of range
         */
        public Builder maxResponseBytes(long maxResponseBytes) {
            if (maxResponseBytes < 0 || maxResponseBytes > LARGEST_MAX_RESPONSE_BYTES) {
                throw new IllegalArgumentException("the response limit must be from 0 to " + LARGEST_MAX_RESPONSE_BYTES
                        + " bytes, not " + maxResponseBytes);
            }
            this.maxResponseBytes = maxResponseBytes;
            return this;
        }

        /**
         * Sends {@code Authorization: Basic base64(user:password)} (UTF-8, RFC 7617).
         *
         * @param user the user name, without {@code ':'}
         * @param password the password
         * @return this builder
         * @throws IllegalArgumentException when the user name contains {@code ':'} or a control
         *     character (the message shows neither the name nor the password)
         */
        public Builder basicAuth(String user, String password) {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if (user.indexOf(':') >= 0 || user.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException("a user name for HTTP basic authentication may not contain ':' or control characters");
            }
            this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            return this;
        }

        /**
         * Sends {@code Authorization: Bearer <token>}.
         *
         * @param token the token, without spaces or control characters
         * @return this builder
         * @throws IllegalArgumentException when the token is empty or holds white space or a
         *     control character (the message does not show it)
         */
        public Builder bearerToken(String token) {
            Objects.requireNonNull(token, "token");
            if (token.isEmpty() || token.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException("a bearer token must be non-empty, without white space or control characters");
            }
            this.authorization = "Bearer " + token;
            return this;
        }

        /**
         * @return the call
         * @throws IllegalArgumentException when the URI is not an absolute http or https URI with
         *     a host, holds user information, or an {@code Authorization} header was given
         *     together with {@link #basicAuth} or {@link #bearerToken}
         */
        public HttpCall build() {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
                throw new IllegalArgumentException("'" + shorten(display(uri)) + "' is not an http or https URL");
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw new IllegalArgumentException("'" + shorten(display(uri)) + "' has no host (or an invalid one)");
            }
            if (uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("the URL of " + display(uri)
                        + " holds user information: give credentials with basicAuth or bearerToken instead");
            }
            if (authorization != null && headers.keySet().stream().anyMatch("authorization"::equalsIgnoreCase)) {
                throw new IllegalArgumentException("an Authorization header was given together with credentials: give one of them");
            }
            return new HttpCall(this);
        }
    }

    private static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    private static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
