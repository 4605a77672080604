package io.midway.instance.http.internal;

import io.midway.instance.api.Users;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.api.InstanceException;
import io.midway.wire.ErrorReply;
import io.midway.wire.Json;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Base of the instance API servlets: JSON in and out, Basic authentication against the
 * {@link Users}, and one error shape ({@link ErrorReply}) for every failure — a
 * {@link RequestException} becomes its 4xx/5xx, anything unexpected a logged 500 with a generic
 * message and no stack trace.
 */
public abstract class ApiServlet extends HttpServlet {

    /** The realm announced in {@code WWW-Authenticate}. */
    public static final String REALM = "Midway";
    /** The largest request body accepted. */
    public static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ApiServlet.class);

    private final transient Users realm;

    /** The request attribute holding a TLS client's verified certificate chain (Servlet specification). */
    static final String CLIENT_CERTIFICATE_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";

    /** @param realm the users, null for a servlet that never authenticates */
    protected ApiServlet(Users realm) {
        this.realm = realm;
    }

    @Override
    protected final void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            checkQueryString(request);
            handle(request, response);
        } catch (InstanceException failure) {
            RequestException e = RequestException.of(failure);
            // Refused before (all of) the body was read: the server will not drain it, so the
            // connection cannot be reused; say so, or a client may send its next request on a
            // connection the server is closing.
            sendError(response, e, hasUnreadBody(request));
        } catch (RuntimeException e) {
            // a value the database refused (too long, out of range) that no check caught before
            Optional<RequestException> rejected = BadInput.valueRejected(e);
            if (rejected.isPresent()) {
                sendError(response, rejected.get(), hasUnreadBody(request));
                return;
            }
            Optional<RequestException> refused = BadInput.malformedRequest(e);
            if (refused.isEmpty()) {
                sendUnexpected(request, response, e);
            } else {
                sendError(response, refused.get(), true);
            }
        }
    }

    /**
     * Refuses a query string that is not valid percent-encoded UTF-8 before any servlet asks the
     * container for a parameter (Jetty would throw, which is not a failure of the instance).
     */
    private static void checkQueryString(HttpServletRequest request) {
        BadInput.queryStringProblem(request.getQueryString()).ifPresent(problem -> {
            throw RequestException.badRequest("malformed query string", problem);
        });
    }

    private static boolean hasUnreadBody(HttpServletRequest request) {
        if (request.getContentLengthLong() <= 0 && request.getHeader("Transfer-Encoding") == null) {
            return false;
        }
        try {
            return !request.getInputStream().isFinished();
        } catch (IOException | IllegalStateException e) {
            return true;
        }
    }

    /**
     * Answers one request; throw {@link RequestException} for any error.
     *
     * @param request the request
     * @param response the response
     * @throws IOException when the client connection fails
     */
    protected abstract void handle(HttpServletRequest request, HttpServletResponse response) throws IOException;

    /**
     * @param request the request
     * @param role the role required
     * @return the authenticated user
     * @throws RequestException 401 (with {@code WWW-Authenticate}), 403, or 429 (with
     *     {@code Retry-After}) after too many failed logins or requests in progress ({@link RequestLimitFilter})
     */
    protected Users.User authenticate(HttpServletRequest request, String role) {
        return authenticateAny(request, role);
    }

    /**
     * Refuses a caller that may not act for the agent a request names: an agent's identity acts
     * for its own agent only (DESIGN §13).
     *
     * @param user the authenticated caller
     * @param agentName the agent the request acts for
     * @throws RequestException 403, and nothing is changed
     */
    protected void authorizeAgent(Users.User user, String agentName) {
        if (!realm.mayActFor(user, agentName)) {
            throw new RequestException(RequestException.Kind.FORBIDDEN, "User Not Authorized",
                    "user '" + user.name() + "' may not act for agent '" + agentName + "'"
                            + (user.agent() != null ? ": it acts for agent '" + user.agent() + "' only"
                                    : realm.isSharedUser(user) ? ": the shared agent user only enrolls agents; an "
                                            + "enrolled agent logs in as its own user" : ""));
        }
    }

    /**
     * @param request the request
     * @param roles the roles of which the caller needs one
     * @return the authenticated user
     * @throws RequestException 401 (with {@code WWW-Authenticate}) or 403
     */
    protected Users.User authenticateAny(HttpServletRequest request, String... roles) {
        Optional<Users.User> user;
        Object chain = request.getAttribute(CLIENT_CERTIFICATE_ATTRIBUTE);
        if (realm.acceptsClientCertificates() && chain instanceof X509Certificate[] certificates
                && certificates.length > 0) {
            // Mutual TLS: the server verified the chain against the client authorities; the
            // certificate is the agent, whatever Basic credentials come with it.
            user = realm.authenticate(certificates);
            if (user.isEmpty()) {
                throw new RequestException(RequestException.Kind.UNAUTHORIZED, "User Not Authenticated",
                        "the client certificate names no agent with an active identity (its CN must be the agent's "
                                + "name; an admin may have disabled it)");
            }
        } else {
            Optional<BasicCredentials> given = BasicCredentials.parse(request.getHeader("Authorization"));
            CallerGate.beforeLogin(request, given.map(BasicCredentials::user).orElse(null));
            user = given.flatMap(c -> realm.authenticate(c.user(), c.password()));
            Optional<Users.User> outcome = user;
            given.ifPresent(c -> CallerGate.afterLogin(request, c.user(), outcome.isPresent()));
        }
        if (user.isEmpty()) {
            throw new RequestException(RequestException.Kind.UNAUTHORIZED, "User Not Authenticated",
                    "Required to provide Auth information",
                    Map.of("WWW-Authenticate", "Basic realm=\"" + REALM + "\""));
        }
        if (java.util.Arrays.stream(roles).noneMatch(user.get()::hasRole)) {
            throw new RequestException(RequestException.Kind.FORBIDDEN, "User Not Authorized",
                    "user '" + user.get().name() + "' lacks the role " + String.join(" or ", roles));
        }
        return user.get();
    }

    /**
     * Like {@link #authenticate}, for an upload: when the caller is refused, the body is read and
     * dropped first (up to {@code limit} bytes), so the client, still sending, gets the 401/403
     * instead of a connection closed under it.
     *
     * @param request the request
     * @param role the role required
     * @param limit the most body bytes to drop
     * @return the authenticated user
     * @throws RequestException 401 (with {@code WWW-Authenticate}) or 403
     */
    protected Users.User authenticateUpload(HttpServletRequest request, String role, long limit) {
        try {
            return authenticate(request, role);
        } catch (InstanceException refused) {
            long declared = request.getContentLengthLong();
            if ("POST".equals(request.getMethod()) && declared <= limit) {
                // Read to the end (skip() may stop at what has arrived so far), so the connection
                // stays usable for the client's next request.
                try (InputStream in = request.getInputStream()) {
                    byte[] sink = new byte[8192];
                    while (in.read(sink) >= 0) {
                        // drop it
                    }
                } catch (IOException e) {
                    LOG.debug("Dropping the body of a refused upload failed: {}", e.toString());
                }
            }
            throw refused;
        }
    }

    /**
     * @param allowed the methods the path takes
     * @return a 405 with an {@code Allow} header
     */
    protected static RequestException methodNotAllowed(String... allowed) {
        String list = String.join(", ", allowed);
        return new RequestException(RequestException.Kind.METHOD_NOT_ALLOWED, "Method not allowed",
                "this path takes " + list, Map.of("Allow", list));
    }

    /**
     * @param request the request
     * @param allowed the methods the path takes
     * @return the method, when it is one of them
     * @throws RequestException 405 otherwise
     */
    protected static String requireMethod(HttpServletRequest request, String... allowed) {
        String method = request.getMethod();
        if (!Arrays.asList(allowed).contains(method)) {
            throw methodNotAllowed(allowed);
        }
        return method;
    }

    /**
     * @param request the request
     * @return the body parsed as JSON
     * @throws RequestException 400 for an empty or malformed body, 413 for a huge one
     */
    protected static JsonNode readTree(HttpServletRequest request) throws IOException {
        byte[] body = readBytes(request);
        try {
            JsonNode tree = Json.mapper().readTree(body);
            if (tree == null || tree.isMissingNode()) {
                throw RequestException.badRequest("the request body is empty", "send a JSON object");
            }
            return tree;
        } catch (StreamReadException e) {
            throw malformed(e);
        } catch (JsonProcessingException e) {
            throw RequestException.badRequest("the request body is not valid JSON", e.getOriginalMessage());
        }
    }

    /**
     * @param <T> the record type
     * @param request the request
     * @param type the record type
     * @return the body bound to the record
     * @throws RequestException 400 naming the field that has the wrong type
     */
    protected static <T> T readBody(HttpServletRequest request, Class<T> type) throws IOException {
        JsonNode tree = readTree(request);
        if (!tree.isObject()) {
            throw RequestException.badRequest("the request body must be a JSON object");
        }
        try {
            return Json.mapper().treeToValue(tree, type);
        } catch (JsonMappingException e) {
            String path = path(e);
            throw RequestException.badRequest(path.isEmpty() ? "the request body does not fit"
                    : "invalid value for field '" + path + "'", e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw RequestException.badRequest("the request body does not fit", e.getOriginalMessage());
        }
    }

    private static byte[] readBytes(HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        } catch (IOException | RuntimeException e) {
            // The client sent less than its Content-Length, a broken chunk, or stalled past the idle
            // timeout: its request is at fault, and the connection cannot be reused.
            throw BadInput.unreadableBody(e);
        }
        if (body.length > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        if (body.length == 0) {
            throw RequestException.badRequest("the request body is empty", "send a JSON object");
        }
        return body;
    }

    /**
     * The body of a raw upload, read as a stream: a body that ends before its Content-Length, has
     * a broken chunk or stalls past the idle timeout is a 400 ({@link RequestException}), not an
     * {@link IOException} that would end as a 500.
     *
     * @param request the request
     * @return its body
     * @throws IOException when the stream cannot be opened
     */
    protected static InputStream requestBody(HttpServletRequest request) throws IOException {
        return new java.io.FilterInputStream(request.getInputStream()) {
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (IOException | RuntimeException e) {
                    throw refusedBody(e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return in.read(b, off, len);
                } catch (IOException | RuntimeException e) {
                    throw refusedBody(e);
                }
            }
        };
    }

    private static RuntimeException refusedBody(Exception e) throws IOException {
        if (e instanceof IOException io && !BadInput.isClientFault(io)) {
            throw io;
        }
        if (e instanceof RuntimeException r && BadInput.malformedRequest(r).isEmpty()) {
            return r;
        }
        return BadInput.unreadableBody(e);
    }

    private static RequestException tooLarge() {
        return new RequestException(RequestException.Kind.PAYLOAD_TOO_LARGE, "the request body is too large",
                "at most " + MAX_BODY_BYTES + " bytes");
    }

    private static RequestException malformed(StreamReadException e) {
        String where = e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        return RequestException.badRequest("malformed JSON in the request body", e.getOriginalMessage() + where);
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /**
     * @param request the request
     * @param name a query parameter
     * @return its value, when present and not blank
     */
    protected static Optional<String> param(HttpServletRequest request, String name) {
        String value = request.getParameter(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /**
     * A parameter of the query string only. Unlike {@link HttpServletRequest#getParameter} it never
     * reads the body, which for a raw upload sent as {@code application/x-www-form-urlencoded}
     * (curl's default) would be parsed as a form.
     *
     * @param request the request
     * @param name a query parameter
     * @return its first value, when present and not blank
     * @throws RequestException 400 when the query string is not valid percent-encoding
     */
    protected static Optional<String> queryParam(HttpServletRequest request, String name) {
        String query = request.getQueryString();
        if (query == null || query.isEmpty()) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
                    String decoded = URLDecoder.decode(value, StandardCharsets.UTF_8);
                    return decoded.isBlank() ? Optional.empty() : Optional.of(decoded.trim());
                }
            } catch (IllegalArgumentException e) {
                throw RequestException.badRequest("malformed query string", e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * @param request the request
     * @param name a query parameter
     * @param defaultValue its value when absent
     * @return its value as a long
     * @throws RequestException 400 when it is not a whole number
     */
    protected static long longParam(HttpServletRequest request, String name, long defaultValue) {
        Optional<String> value = param(request, name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value.get());
        } catch (NumberFormatException e) {
            throw RequestException.badRequest("query parameter '" + name + "' must be a whole number",
                    "got '" + value.get() + "'");
        }
    }

    /**
     * @param request the request
     * @param name a query parameter
     * @param defaultValue its value when absent
     * @return its value as an int
     * @throws RequestException 400 when it is not a whole number in the int range
     */
    protected static int intParam(HttpServletRequest request, String name, int defaultValue) {
        long value = longParam(request, name, defaultValue);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw RequestException.badRequest("query parameter '" + name + "' is out of range", "got " + value);
        }
        return (int) value;
    }

    /**
     * @param value the result
     * @return {@code {"result": value}}
     */
    protected static Map<String, Object> result(Object value) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("result", value);
        return body;
    }

    /**
     * @param response the response
     * @param status the HTTP status
     * @param body what to serialise as JSON
     * @throws IOException when the client connection fails
     */
    protected static void writeJson(HttpServletResponse response, int status, Object body) throws IOException {
        byte[] bytes = Json.mapper().writeValueAsBytes(body);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /**
     * Writes the error reply of a failed request.
     *
     * @param response the response
     * @param e the failure
     * @throws IOException when the client connection fails
     */
    protected static void sendError(HttpServletResponse response, InstanceException e) throws IOException {
        sendError(response, RequestException.of(e), false);
    }

    private static void sendError(HttpServletResponse response, RequestException e, boolean closeConnection)
            throws IOException {
        if (response.isCommitted()) {
            LOG.debug("Cannot send error {} ({}): response already committed", e.kind().status(), e.getMessage());
            return;
        }
        response.reset();
        for (Map.Entry<String, String> header : e.headers().entrySet()) {
            response.setHeader(header.getKey(), header.getValue());
        }
        if (closeConnection) {
            response.setHeader("Connection", "close");
        }
        writeJson(response, e.kind().status(), ErrorReply.of(e.getMessage(), e.detail()));
    }

    /**
     * Logs an unexpected failure with its trace and answers a generic 500.
     *
     * @param request the request
     * @param response the response
     * @param e the failure
     * @throws IOException when the client connection fails
     */
    protected static void sendUnexpected(HttpServletRequest request, HttpServletResponse response, Throwable e)
            throws IOException {
        LOG.error("Unexpected error answering {} {}", request.getMethod(), request.getRequestURI(), e);
        if (response.isCommitted()) {
            return;
        }
        response.reset();
        writeJson(response, 500, ErrorReply.of("Internal server error", "the instance log has the details"));
    }

    /**
     * @param e a failure of a future
     * @return the cause that is not a wrapper
     */
    protected static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
