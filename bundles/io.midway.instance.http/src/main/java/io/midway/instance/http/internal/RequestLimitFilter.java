package io.midway.instance.http.internal;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardFilterAsyncSupported;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardFilterName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardFilterPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.console.support.guard.LoginThrottle;
import io.midway.wire.ErrorReply;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Limits per caller over {@code /api/*} (DESIGN §13, issue 14): at most
 * {@code per.address.concurrent} requests in progress per remote address and
 * {@code per.user.concurrent} per authenticated user (429 with {@code Retry-After} beyond);
 * request bodies slower than {@code body.min.bytes.per.second} cut off with 408; and the
 * {@link LoginThrottle} consulted by {@link ApiServlet#authenticate} through a {@link CallerGate}
 * (the instance's one throttle, {@link ConfiguredLoginThrottle}, which the Web Console's logins
 * count against too).
 * The long poll ({@code GET /api/mid/ecc/poll}) waits asynchronously, without a thread, and is not
 * counted, so an agent's poll is never refused for concurrency.
 */
@Component(service = Filter.class, configurationPid = RequestLimitFilter.PID)
@Designate(ocd = LimitsConfiguration.class)
@HttpWhiteboardFilterPattern("/api/*")
@HttpWhiteboardFilterName("midway-request-limits")
@HttpWhiteboardFilterAsyncSupported
public class RequestLimitFilter implements Filter {

    /** The configuration pid. */
    public static final String PID = "io.midway.instance.limits";
    /** The long poll, which is not counted. */
    static final String POLL_PATH = "/api/mid/ecc/poll";

    private static final Logger LOG = LoggerFactory.getLogger(RequestLimitFilter.class);

    private final LimitsConfiguration config;
    private final LoginThrottle throttle;
    private final ConcurrencyLimit addresses = new ConcurrencyLimit();
    private final ConcurrencyLimit users = new ConcurrencyLimit();
    private final Clock clock;

    /**
     * @param config the limits
     * @param throttle the instance's failed-login throttle, shared with the Web Console's logins
     */
    @Activate
    public RequestLimitFilter(LimitsConfiguration config, @Reference LoginThrottle throttle) {
        this(config, throttle, Clock.systemUTC());
    }

    /**
     * With a throttle of its own, as configured (a factory, not a constructor: SCR would take a
     * second two-argument constructor for its own).
     *
     * @param config the limits
     * @param clock the time source
     * @return the filter
     */
    public static RequestLimitFilter withOwnThrottle(LimitsConfiguration config, Clock clock) {
        return new RequestLimitFilter(config, new LoginThrottle(ConfiguredLoginThrottle.limits(config), clock), clock);
    }

    /**
     * @param config the limits
     * @param throttle the failed-login throttle
     * @param clock the time source
     */
    public RequestLimitFilter(LimitsConfiguration config, LoginThrottle throttle, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.throttle = throttle;
        LOG.info("Request limits: {} concurrent requests per address, {} per user (long polls not counted), "
                + "bodies at least {} bytes/s after {} s, failed logins {} per user and address / {} per address / "
                + "{} per user in {} s", config.per_address_concurrent(), config.per_user_concurrent(),
                config.body_min_bytes_per_second(), config.body_grace_seconds(),
                config.login_failures_per_user_address(), config.login_failures_per_address(),
                config.login_failures_per_user(), config.login_window_seconds());
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String address = request.getRemoteAddr();
        boolean counted = !isLongPoll(request);
        if (counted && !addresses.tryAcquire(address, config.per_address_concurrent())) {
            LOG.debug("{} {} from {} refused: over {} concurrent requests per address", request.getMethod(),
                    request.getRequestURI(), address, config.per_address_concurrent());
            refuse(request, response, tooMany("address " + address));
            return;
        }
        CallerGate gate = new CallerGate(throttle, users, config.per_user_concurrent(), counted, address);
        request.setAttribute(CallerGate.ATTRIBUTE, gate);
        try {
            chain.doFilter(withMinimumRate(request), response);
        } catch (IOException e) {
            if (!isSlowBody(e) || response.isCommitted()) {
                throw e;
            }
            LOG.info("{} {} from {}: request body cut off ({})", request.getMethod(), request.getRequestURI(),
                    address, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            refuse(request, response, new RequestException(RequestException.Kind.REQUEST_TIMEOUT,
                    "the request body arrived too slowly", "send the whole body without pausing"));
        } finally {
            gate.release();
            if (counted) {
                addresses.release(address);
            }
        }
    }

    private HttpServletRequest withMinimumRate(HttpServletRequest request) {
        int rate = config.body_min_bytes_per_second();
        boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
        if (rate <= 0 || !hasBody) {
            return request;
        }
        long grace = config.body_grace_seconds() * 1000L;
        return new HttpServletRequestWrapper(request) {
            private ServletInputStream body;

            @Override
            public ServletInputStream getInputStream() throws IOException {
                if (body == null) {
                    body = new MinRateInputStream(super.getInputStream(), rate, grace, clock::millis);
                }
                return body;
            }
        };
    }

    private static boolean isLongPoll(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return "GET".equals(request.getMethod()) && path.equals(POLL_PATH);
    }

    /** A body cut by the rate check or by the HTTP idle timeout. */
    private static boolean isSlowBody(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SlowBodyException || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param who the caller over its limit
     * @return a 429 with {@code Retry-After}
     */
    static RequestException tooMany(String who) {
        return new RequestException(RequestException.Kind.TOO_MANY_REQUESTS, "Too many concurrent requests",
                who + " has as many requests in progress as it may: try again shortly", Map.of("Retry-After", "1"));
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, RequestException e)
            throws IOException {
        response.reset();
        for (Map.Entry<String, String> header : e.headers().entrySet()) {
            response.setHeader(header.getKey(), header.getValue());
        }
        if (request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null) {
            // The body is left unread: the connection cannot carry another request.
            response.setHeader("Connection", "close");
        }
        ApiServlet.writeJson(response, e.kind().status(), ErrorReply.of(e.getMessage(), e.detail()));
    }
}
