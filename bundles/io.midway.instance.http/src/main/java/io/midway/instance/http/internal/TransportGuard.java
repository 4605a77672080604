package io.midway.instance.http.internal;

import java.io.IOException;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.Preprocessor;

import io.midway.console.support.PlainHttpRule;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Secure transport on the instance (issue 14 point 3), before any servlet, the Web Console
 * included: plain HTTP answers this machine only, unless the operator opened it
 * ({@code MIDWAY_HTTP_HOST}, framework property {@value #PLAIN_REMOTE_PROPERTY}), and then still
 * takes no credentials from another host ({@link PlainHttpRule}). HTTPS is not concerned. Refusals
 * are 403 with the usual error shape, naming the HTTPS port.
 */
@Component(service = Preprocessor.class)
public class TransportGuard implements Preprocessor {

    /** Framework property: {@code true} when plain HTTP is opened to other hosts. */
    public static final String PLAIN_REMOTE_PROPERTY = "midway.http.plain.remote";
    /** Framework property: the HTTPS port, for the messages. */
    public static final String HTTPS_PORT_PROPERTY = "midway.https.port";

    private final boolean plainForOtherHosts;
    private final String httpsHint;

    /** @param context for the framework properties */
    @Activate
    public TransportGuard(BundleContext context) {
        this(Boolean.parseBoolean(context.getProperty(PLAIN_REMOTE_PROPERTY)), context.getProperty(HTTPS_PORT_PROPERTY));
    }

    /**
     * @param plainForOtherHosts whether plain HTTP is opened to other hosts
     * @param httpsPort the HTTPS port, or {@code null} when HTTPS is off
     */
    public TransportGuard(boolean plainForOtherHosts, String httpsPort) {
        this.plainForOtherHosts = plainForOtherHosts;
        this.httpsHint = httpsPort == null || httpsPort.isBlank() ? null : "port " + httpsPort.trim();
    }

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
        if (req instanceof HttpServletRequest request && res instanceof HttpServletResponse response) {
            Optional<String> refusal = PlainHttpRule.refusal(request.isSecure(), request.getRemoteAddr(),
                    request.getHeader("Authorization") != null, plainForOtherHosts, httpsHint);
            if (refusal.isPresent()) {
                BadInputGuard.send(response, new RequestException(RequestException.Kind.FORBIDDEN,
                        "Plain HTTP refused", refusal.get()), false);
                return;
            }
        }
        chain.doFilter(req, res);
    }
}
