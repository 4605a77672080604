package io.midway.instance.http.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.Preprocessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.wire.ErrorReply;
import io.midway.wire.Json;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

/**
 * Keeps malformed requests from becoming 500s anywhere on the instance's HTTP server, the Web
 * Console included (a whiteboard {@link Preprocessor}: it runs before any servlet or context is
 * chosen). The API servlets check their own input ({@link io.midway.instance.http.internal.ApiServlet}); this guards what they do
 * not own:
 * <ul>
 * <li>a query string that is not percent-encoded UTF-8 → 400;</li>
 * <li>{@code TRACE}, {@code CONNECT} and methods HTTP does not define → 405 (Jetty would answer
 * {@code TRACE} with an echo, an unknown method with 501); {@code OPTIONS} outside {@code /api/}
 * → 405 (the Web Console's plugins throw on it); {@code POST /system/console/components} naming no
 * component → 400 (the components plugin answers it with a bare 500);</li>
 * <li>a form body that cannot be parsed, a body shorter than its {@code Content-Length} or with an
 * invalid chunk: the servlet that reads it fails, and the 500 the container would send is turned
 * into a 400 with the error shape.</li>
 * </ul>
 * Answers are {@code {"error":{"message","detail"},"status":"failure"}}.
 */
// In this package, and named to sort before EventAdminPublisher: SCR enables a bundle's components in the
// order of Service-Component (bnd sorts it by class name), and the immediate ones (EventAdminPublisher,
// HeartbeatMonitor, LeaseReaper) activate InstanceCore, which opens the database, as they are enabled. So
// the server is guarded before that.
@Component(service = Preprocessor.class)
public class BadInputGuard implements Preprocessor {

    /** The methods passed on; anything else is refused with 405. */
    static final Set<String> KNOWN_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    /** What non-API pages (the Web Console, the root redirect) take. */
    static final String PAGE_METHODS = "GET, HEAD, POST";

    /** The Web Console's components page itself, with no component named after it. */
    private static final java.util.regex.Pattern COMPONENTS_PAGE = java.util.regex.Pattern.compile(
            "/system/console/components(\\.json)?/?");

    private static final Logger LOG = LoggerFactory.getLogger(BadInputGuard.class);

    @Override
    public void init(jakarta.servlet.FilterConfig config) {
        // nothing to set up
    }

    @Override
    public void destroy() {
        // nothing to release
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            chain.doFilter(req, res);
            return;
        }
        String method = request.getMethod();
        boolean api = isApiPath(request);
        if (!KNOWN_METHODS.contains(method) || (!api && "OPTIONS".equals(method))) {
            String allow = api ? String.join(", ", KNOWN_METHODS) : PAGE_METHODS;
            send(response, new RequestException(RequestException.Kind.METHOD_NOT_ALLOWED, "Method not allowed",
                    "this server does not take " + printable(method) + (api ? "" : " here; pages take " + allow),
                    Map.of("Allow", allow)), false);
            return;
        }
        if ("POST".equals(method) && COMPONENTS_PAGE.matcher(String.valueOf(request.getRequestURI())).matches()) {
            // The Web Console's components plugin answers a POST naming no component with a bare 500.
            send(response, RequestException.badRequest("name a component",
                    "POST /system/console/components/<component name or id> with action=enable|disable"), false);
            return;
        }
        Optional<String> problem = BadInput.queryStringProblem(request.getQueryString());
        if (problem.isPresent()) {
            send(response, RequestException.badRequest("malformed query string", problem.get()), false);
            return;
        }
        GuardedRequest guarded = new GuardedRequest(request);
        GuardedResponse answer = new GuardedResponse(response, guarded);
        try {
            chain.doFilter(guarded, answer);
        } catch (IOException | RuntimeException | ServletException e) {
            if (guarded.fault == null || response.isCommitted()) {
                throw e;
            }
            refuse(response, guarded);
        }
    }

    private static boolean isApiPath(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return uri != null && (uri.equals("/api") || uri.startsWith("/api/"));
    }

    private static String printable(String method) {
        String m = method == null ? "" : method;
        m = m.length() > 20 ? m.substring(0, 20) + "..." : m;
        return m.replaceAll("[^A-Za-z0-9_-]", "?");
    }

    private static void refuse(HttpServletResponse response, GuardedRequest request) throws IOException {
        LOG.debug("Refused a malformed request to {}: {}", request.getRequestURI(), request.fault.getMessage());
        send(response, request.fault, true);
    }

    static void send(HttpServletResponse response, RequestException e, boolean close) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.reset();
        for (Map.Entry<String, String> header : e.headers().entrySet()) {
            response.setHeader(header.getKey(), header.getValue());
        }
        if (close) {
            response.setHeader("Connection", "close");
        }
        byte[] bytes = Json.mapper().writeValueAsBytes(ErrorReply.of(e.getMessage(), e.detail()));
        response.setStatus(e.kind().status());
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
        response.flushBuffer();
    }

    /** Notes the client's fault when the container fails to parse its parameters or body. */
    static final class GuardedRequest extends HttpServletRequestWrapper {
        volatile RequestException fault;
        private ServletInputStream stream;

        GuardedRequest(HttpServletRequest request) {
            super(request);
        }

        private <T> T parameters(java.util.function.Supplier<T> read) {
            try {
                return read.get();
            } catch (RuntimeException e) {
                Optional<RequestException> refused = BadInput.malformedRequest(e);
                if (refused.isEmpty()) {
                    throw e;
                }
                fault = refused.get();
                throw fault;
            }
        }

        @Override
        public String getParameter(String name) {
            return parameters(() -> super.getParameter(name));
        }

        @Override
        public Map<String, String[]> getParameterMap() {
            return parameters(super::getParameterMap);
        }

        @Override
        public Enumeration<String> getParameterNames() {
            return parameters(super::getParameterNames);
        }

        @Override
        public String[] getParameterValues(String name) {
            return parameters(() -> super.getParameterValues(name));
        }

        @Override
        public synchronized ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new GuardedStream(super.getInputStream(), this);
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(getInputStream(),
                    encoding == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(encoding)));
        }

        void failed(Exception e) {
            if (e instanceof IOException io ? BadInput.isClientFault(io) : BadInput.malformedRequest(e).isPresent()) {
                fault = BadInput.unreadableBody(e);
            }
        }
    }

    /** The body, noting a broken or short one on its request. */
    private static final class GuardedStream extends ServletInputStream {
        private final ServletInputStream in;
        private final GuardedRequest request;

        GuardedStream(ServletInputStream in, GuardedRequest request) {
            this.in = in;
            this.request = request;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException | RuntimeException e) {
                request.failed(e);
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                request.failed(e);
                throw e;
            }
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }

    /**
     * Turns the 500 a container sends for an exception out of a servlet into the 400 of the
     * client's fault, when the request noted one.
     */
    private static final class GuardedResponse extends HttpServletResponseWrapper {
        private final GuardedRequest request;

        GuardedResponse(HttpServletResponse response, GuardedRequest request) {
            super(response);
            this.request = request;
        }

        @Override
        public void sendError(int status) throws IOException {
            if (status >= 500 && request.fault != null) {
                refuse((HttpServletResponse) getResponse(), request);
            } else {
                super.sendError(status);
            }
        }

        @Override
        public void sendError(int status, String message) throws IOException {
            if (status >= 500 && request.fault != null) {
                refuse((HttpServletResponse) getResponse(), request);
            } else {
                super.sendError(status, message);
            }
        }
    }
}
