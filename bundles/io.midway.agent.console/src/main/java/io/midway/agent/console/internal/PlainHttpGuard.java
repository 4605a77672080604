package io.midway.agent.console.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * The agent's own HTTP port (its Web Console) listens on loopback unless the operator opens it
 * ({@code MIDWAY_AGENT_HTTP_HOST}); opened, it still takes no credentials over plain HTTP from
 * another host ({@link PlainHttpRule}): 403, naming HTTPS ({@code MIDWAY_HTTPS_PORT} on the agent).
 */
@Component(service = Preprocessor.class)
public class PlainHttpGuard implements Preprocessor {

    private final String httpsHint;

    /** @param context for the framework property {@code midway.https.port} */
    @Activate
    public PlainHttpGuard(BundleContext context) {
        String port = context.getProperty("midway.https.port");
        this.httpsHint = port == null || port.isBlank() ? "set MIDWAY_HTTPS_PORT on the agent" : "port " + port.trim();
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
                    request.getHeader("Authorization") != null, true, httpsHint);
            if (refusal.isPresent()) {
                byte[] body = ("{\"error\":{\"message\":\"Plain HTTP refused\",\"detail\":"
                        + com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.textNode(refusal.get())
                        + "},\"status\":\"failure\"}").getBytes(StandardCharsets.UTF_8);
                response.setStatus(403);
                response.setContentType("application/json");
                response.setCharacterEncoding("UTF-8");
                response.setContentLength(body.length);
                response.getOutputStream().write(body);
                return;
            }
        }
        chain.doFilter(req, res);
    }
}
