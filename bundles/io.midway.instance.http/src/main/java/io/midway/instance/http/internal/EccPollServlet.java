package io.midway.instance.http.internal;

import io.midway.instance.api.Users;
import io.midway.instance.api.InstanceException;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletAsyncSupported;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.api.AgentPolls;
import io.midway.instance.api.PollResult;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /api/mid/ecc/poll?agent=NAME&max=N&wait_ms=M[&sync_revision=R][&instance_version=V][&credential_revision=C]}
 * (role mid_server): the long poll.
 * When nothing is ready the request goes asynchronous (no Jetty thread is held while it waits)
 * and completes as soon as work is written for the agent, or after the wait with an empty result.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/mid/ecc/poll")
@HttpWhiteboardServletName("midway-ecc-poll")
@HttpWhiteboardServletAsyncSupported
public class EccPollServlet extends ApiServlet {

    /** Records leased per poll when {@code max} is absent. */
    public static final int DEFAULT_MAX = 20;

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EccPollServlet.class);
    /** Safety margin of the servlet async timeout over the poll's own deadline. */
    private static final long ASYNC_MARGIN_MS = 30_000;

    private final transient AgentPolls service;

    /**
     * @param service the instance
     * @param realm the users
     */
    @Activate
    public EccPollServlet(@Reference AgentPolls service, @Reference Users realm) {
        super(realm);
        this.service = service;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String method = requireMethod(request, "GET", "DELETE");
        Users.User user = authenticate(request, Users.ROLE_MID_SERVER);
        String agent = param(request, "agent")
                .orElseThrow(() -> RequestException.badRequest("query parameter 'agent' is required"));
        authorizeAgent(user, agent);
        if ("DELETE".equals(method)) {
            // An agent that stops says so: its waiting poll is answered empty now, so work written
            // before its next start is not leased to a connection nobody reads any more.
            int released = service.releasePolls(agent);
            LOG.debug("Agent {} stops polling: {} waiting poll(s) answered empty", agent, released);
            response.setStatus(204);
            return;
        }
        int max = intParam(request, "max", DEFAULT_MAX);
        long waitMs = longParam(request, "wait_ms", 0);
        // The revision the agent has applied: when the instance has another, the poll answers at
        // once so the agent syncs now, not at its next reply.
        String knownRevision = param(request, "sync_revision").orElse(null);
        // The instance version the agent last saw: when it is another, the poll answers at once.
        String knownVersion = param(request, "instance_version").orElse(null);
        // The credential revision the agent holds: when it is another, the poll answers at once.
        // Given but empty means it holds none yet (a new agent): any revision is news, or a
        // credential made before its first poll would wait for the next change to reach it.
        String given = request.getParameter("credential_revision");
        String knownCredentials = given == null ? null : given.trim();
        // The configuration revision the agent holds (agent properties and parameters): when it is
        // another, the poll answers at once; given but empty means it holds none yet.
        String givenConfig = request.getParameter("config_revision");
        String knownConfig = givenConfig == null ? null : givenConfig.trim();
        CompletableFuture<PollResult> reply = service.longPoll(agent, max, waitMs, knownRevision, knownVersion,
                knownCredentials, knownConfig);
        if (reply.isDone()) {
            answer(request, response, reply);
            return;
        }
        AsyncContext async = request.startAsync();
        async.setTimeout(Math.min(waitMs, service.longestWait().toMillis()) + ASYNC_MARGIN_MS);
        async.addListener(new AsyncListener() {
            @Override
            public void onTimeout(AsyncEvent event) {
                reply.cancel(false);
            }

            @Override
            public void onError(AsyncEvent event) {
                reply.cancel(false);
            }

            @Override
            public void onComplete(AsyncEvent event) {
                // nothing to release
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
                // not re-started
            }
        });
        reply.whenComplete((result, failure) -> {
            try {
                answer(request, (HttpServletResponse) async.getResponse(), reply);
            } catch (IOException | RuntimeException e) {
                LOG.debug("Poll of {} could not be answered: {}", agent, e.toString());
            } finally {
                try {
                    async.complete();
                } catch (IllegalStateException e) {
                    LOG.debug("Poll of {} already completed", agent);
                }
            }
        });
    }

    private static void answer(HttpServletRequest request, HttpServletResponse response,
            CompletableFuture<PollResult> reply) throws IOException {
        PollResult result;
        try {
            result = reply.join();
        } catch (CancellationException e) {
            sendError(response, new RequestException(RequestException.Kind.UNAVAILABLE, "the poll was abandoned",
                    "poll again"));
            return;
        } catch (RuntimeException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof InstanceException refused) {
                sendError(response, refused);
            } else {
                sendUnexpected(request, response, cause);
            }
            return;
        }
        writeJson(response, 200, WireRecords.toWire(result));
    }
}
