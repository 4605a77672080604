package io.midway.console.support.guard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * What a browser may do on a Midway HTTP server, as a filter in front of everything (each process
 * registers a subclass as a whiteboard {@code Preprocessor}, which runs before any servlet or
 * context, the Felix Web Console's included):
 * <ul>
 * <li><b>Cross-site requests</b>: a state-changing request whose {@code Origin} (or
 * {@code Referer}) is another site is refused with 403 ({@link SameOrigin}), on every path.</li>
 * <li><b>Web Console logins</b>: under {@code /system/console}, a request while the caller is over
 * the {@link LoginThrottle}'s limits is refused with 429 and {@code Retry-After}; a request that
 * carries Basic credentials and is answered 401 counts as a failed login, one on which the console
 * set the remote user as a successful one.</li>
 * </ul>
 * Refusals are {@code {"error":{"message","detail"},"status":"failure"}}.
 * <p>
 * Why a preprocessor and not the Web Console 5 {@code SecurityProvider} SPI: a security provider
 * replaces the console's own user check ({@code felix.webconsole.username/password}, set by the
 * launchers and editable on the console's configuration page), so it would mean a second password
 * check to keep in step with the console's; and it sees only the console, while the cross-site rule
 * must cover the API too. The preprocessor leaves the console's authentication as it is, and judges
 * only its outcome (the 401 it answers), so one filter serves both rules on both processes.
 */
public class BrowserGuard implements Filter {

    /** Where the Felix Web Console is. */
    public static final String CONSOLE = "/system/console";

    /**
     * The request attributes a servlet context sets for the user it authenticated: the Web Console 5's
     * Basic login sets the Http Service one; the Servlet Whiteboard one for other contexts.
     */
    static final String[] REMOTE_USER = {"org.osgi.service.http.authentication.remote.user",
        "org.osgi.service.servlet.context.remote.user"};

    private static final Logger LOG = LoggerFactory.getLogger(BrowserGuard.class);

    private final LoginThrottle logins;

    /** @param logins the failed-login throttle the console's logins count against */
    public BrowserGuard(LoginThrottle logins) {
        this.logins = logins;
    }

    @Override
    public void init(FilterConfig config) {
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
        Optional<String> crossSite = SameOrigin.refusal(request.getMethod(), request.getHeader("Origin"),
                request.getHeader("Referer"), request.getScheme(), host(request));
        if (crossSite.isPresent()) {
            LOG.warn("Refused a cross-site {} {} from {}: {}", request.getMethod(), request.getRequestURI(),
                    request.getRemoteAddr(), crossSite.get());
            refuse(request, response, HttpServletResponse.SC_FORBIDDEN, "Cross-site request refused", crossSite.get(),
                    null);
            return;
        }
        if (!isConsole(request)) {
            chain.doFilter(request, response);
            return;
        }
        String address = request.getRemoteAddr();
        String user = basicUser(request.getHeader("Authorization"));
        long retryAfter = logins.allow(user, address);
        if (retryAfter > 0) {
            LOG.debug("Web Console request from {} refused: too many failed logins", address);
            refuse(request, response, 429, "Too many failed logins", "try again in " + retryAfter + " s",
                    Long.toString(retryAfter));
            return;
        }
        chain.doFilter(request, response);
        if (user != null) {
            if (response.getStatus() == HttpServletResponse.SC_UNAUTHORIZED) {
                LOG.info("Failed Web Console login as '{}' from {}", printable(user), address);
                logins.failed(user, address);
            } else if (authenticated(request)) {
                logins.succeeded(user, address);
            }
        }
    }

    /**
     * @return whether the console said who logged in (a page it serves without a login, such as a
     *         static resource, does not make the caller's address one its user logged in from)
     */
    private static boolean authenticated(HttpServletRequest request) {
        for (String attribute : REMOTE_USER) {
            if (request.getAttribute(attribute) != null) {
                return true;
            }
        }
        return false;
    }

    /** @return the {@code Host} header, or the server's name and port when there is none */
    private static String host(HttpServletRequest request) {
        String host = request.getHeader("Host");
        if (host != null && !host.isBlank()) {
            return host;
        }
        String name = request.getServerName();
        return name == null ? null : (name.indexOf(':') >= 0 ? "[" + name + "]" : name) + ":" + request.getServerPort();
    }

    private static boolean isConsole(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return uri != null && (uri.equals(CONSOLE) || uri.startsWith(CONSOLE + "/"));
    }

    /**
     * @param header the {@code Authorization} header, may be null
     * @return the user name of Basic credentials, null when there are none or they cannot be read
     */
    static String basicUser(String header) {
        if (header == null) {
            return null;
        }
        String value = header.trim();
        int space = value.indexOf(' ');
        if (space <= 0 || !value.substring(0, space).equalsIgnoreCase("basic")) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(value.substring(space + 1).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : decoded.substring(0, colon);
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, int status, String message,
            String detail, String retryAfter) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.reset();
        if (retryAfter != null) {
            response.setHeader("Retry-After", retryAfter);
        }
        if (request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null) {
            // The body is left unread: the connection cannot carry another request.
            response.setHeader("Connection", "close");
        }
        byte[] body = ("{\"error\":{\"message\":" + jsonString(message) + ",\"detail\":" + jsonString(detail)
                + "},\"status\":\"failure\"}").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }

    /** @return {@code text} as a JSON string literal */
    static String jsonString(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '<' -> out.append("\\u003c");
                case '>' -> out.append("\\u003e");
                case '&' -> out.append("\\u0026");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String printable(String value) {
        String v = value.length() > 100 ? value.substring(0, 100) + "..." : value;
        return v.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
