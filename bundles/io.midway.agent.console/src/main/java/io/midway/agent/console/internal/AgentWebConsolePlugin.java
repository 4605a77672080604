package io.midway.agent.console.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.midway.console.support.WebConsolePlugin;
import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.MidAgent;
import io.midway.api.agent.SyncFileResultDTO;
import io.midway.api.agent.SyncResultDTO;
import io.midway.api.agent.UpgradeStatusDTO;
import io.midway.api.cleaner.CleanerRunDTO;
import io.midway.api.cleaner.FileCleaner;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The Midway page of the agent's Felix Web Console, at {@code /system/console/midway}: the agent's
 * status, its probes and worker pools, and Pause / Resume buttons.
 *
 * <ul>
 * <li>{@code GET /system/console/midway} — the HTML page (the console wraps it).</li>
 * <li>{@code GET /system/console/midway.json} — the {@link AgentStatusDTO} as JSON
 * ({@code ?format=json} redirects there).</li>
 * <li>{@code POST /system/console/midway} with {@code action=pause|resume} — asks the instance to
 * pause or resume this agent, then redirects back to the page, which shows the outcome.</li>
 * </ul>
 *
 * <p>The component needs the {@link MidAgent} service: without a running agent core the page does
 * not exist.
 */
@Component(service = Servlet.class)
@WebConsolePlugin(label = AgentWebConsolePlugin.LABEL, title = "Midway", category = "Midway")
public class AgentWebConsolePlugin extends HttpServlet {

    /** The page's address below {@code /system/console/}. */
    public static final String LABEL = "midway";

    /** The form field that carries the anti-forgery token. */
    static final String TOKEN_PARAMETER = "token";

    /** The query parameter that names an action outcome to show. */
    static final String OUTCOME_PARAMETER = "outcome";

    /** The request attribute in which the Web Console passes the plugin's URL. */
    static final String PLUGIN_ROOT_ATTRIBUTE = "felix.webconsole.pluginRoot";

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(AgentWebConsolePlugin.class);

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final int KEPT_OUTCOMES = 32;

    private final transient MidAgent agent;

    /**
     * A random token per activation, carried by the page's form: a cross-site form cannot know it,
     * so it cannot pause the agent with the operator's browser credentials.
     */
    private final String formToken;

    /** Outcomes of recent actions, by the id the redirect carries. */
    private final transient Map<String, AgentStatusPage.Notice> outcomes = new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AgentStatusPage.Notice> eldest) {
            return size() > KEPT_OUTCOMES;
        }
    };

    /** The agent's File Cleaner, when it runs: its last run is shown, and "Clean now" runs it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile FileCleaner cleaner;

    /**
     * @param agent the running agent
     */
    @Activate
    public AgentWebConsolePlugin(@Reference(name = "agent") MidAgent agent) {
        this.agent = agent;
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.formToken = HexFormat.of().formatHex(random);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (isJsonRequest(request)) {
            writeJson(response);
            return;
        }
        if ("json".equals(request.getParameter("format"))) {
            // The Web Console wraps every extension-less GET in its HTML page before this servlet
            // runs; JSON is served undecorated only at midway.json.
            response.sendRedirect(pluginRoot(request) + ".json");
            return;
        }
        if (response.getContentType() == null) {
            response.setContentType("text/html;charset=UTF-8");
        }
        AgentStatusPage.Notice notice = null;
        String outcome = request.getParameter(OUTCOME_PARAMETER);
        if (outcome != null) {
            synchronized (outcomes) {
                notice = outcomes.get(outcome);
            }
        }
        AgentStatusPage.render(response.getWriter(), agent.status(), agent.bundles(), agent.upgradeStatus(),
                pluginRoot(request), formToken, notice);
        AgentStatusPage.renderConfiguration(response.getWriter(), agent.configuration(), configPage(request));
        FileCleaner c = cleaner;
        if (c != null) {
            AgentStatusPage.renderCleaner(response.getWriter(), c.status(), pluginRoot(request), formToken,
                    configPage(request) + ".cleaner");
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String token = request.getParameter(TOKEN_PARAMETER);
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), formToken.getBytes(StandardCharsets.UTF_8))) {
            LOG.warn("Refused a Midway console action without the page's form token (from {})", request.getRemoteAddr());
            plainError(response, HttpServletResponse.SC_FORBIDDEN,
                    "This action must be submitted from the Midway page of the Web Console; reload the page and try again.");
            return;
        }
        String action = request.getParameter("action");
        AgentStatusPage.Notice notice;
        if ("pause".equals(action)) {
            notice = perform("Pause", "Paused: the agent now takes only heartbeat and system work and finishes what it holds.",
                    agent::pause);
        } else if ("resume".equals(action)) {
            notice = perform("Resume", "Resumed: the agent takes work again.", agent::resume);
        } else if ("sync".equals(action)) {
            notice = sync();
        } else if ("upgrade".equals(action)) {
            notice = checkForUpgrade();
        } else if ("clean".equals(action)) {
            notice = clean();
        } else {
            plainError(response, HttpServletResponse.SC_BAD_REQUEST,
                    "Unknown action '" + (action == null ? "" : action) + "': use action=pause, resume, sync, upgrade or clean.");
            return;
        }
        String id = UUID.randomUUID().toString();
        synchronized (outcomes) {
            outcomes.put(id, notice);
        }
        response.sendRedirect(pluginRoot(request) + "?" + OUTCOME_PARAMETER + "=" + id);
    }

    /** Pause or resume, as a function that may fail. */
    @FunctionalInterface
    private interface AgentAction {
        void run() throws IOException;
    }

    private static AgentStatusPage.Notice perform(String name, String success, AgentAction action) {
        try {
            action.run();
            LOG.info("{} requested from the Web Console", name);
            return new AgentStatusPage.Notice(false, success);
        } catch (IOException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.warn("{} requested from the Web Console failed: {}", name, reason);
            return new AgentStatusPage.Notice(true, name + " failed: " + reason);
        }
    }

    /** Clean now: the notice says how much the File Cleaner removed. */
    private AgentStatusPage.Notice clean() {
        FileCleaner c = cleaner;
        if (c == null) {
            return new AgentStatusPage.Notice(true, "The File Cleaner is not running.");
        }
        CleanerRunDTO run = c.runNow();
        LOG.info("File Cleaner run requested from the Web Console: {} files removed", run.filesRemoved);
        return new AgentStatusPage.Notice(run.failures > 0, "File Cleaner: removed " + run.filesRemoved + " files, freed "
                + run.bytesFreed + " bytes" + (run.failures > 0 ? "; " + run.failures + " could not be removed (see the log)" : ""));
    }

    /** Sync now: the notice summarises the outcome, one clause per file. */
    private AgentStatusPage.Notice sync() {
        try {
            SyncResultDTO result = agent.sync();
            StringBuilder text = new StringBuilder("Sync of revision ").append(result.revision).append(": ").append(result.state);
            if (result.files == null || result.files.length == 0) {
                text.append(", nothing to change");
            } else {
                for (SyncFileResultDTO f : result.files) {
                    text.append("; ").append(f.symbolicName).append(' ').append(f.version).append(' ').append(f.action)
                            .append(' ').append(f.outcome);
                    if (f.message != null) {
                        text.append(": ").append(f.message);
                    }
                }
            }
            LOG.info("Sync requested from the Web Console: {}", result.state);
            return new AgentStatusPage.Notice(!"applied".equals(result.state), text.toString());
        } catch (IOException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.warn("Sync requested from the Web Console failed: {}", reason);
            return new AgentStatusPage.Notice(true, "Sync failed: " + reason);
        }
    }

    /** Check for upgrade now: the notice says what the agent does. */
    private AgentStatusPage.Notice checkForUpgrade() {
        try {
            UpgradeStatusDTO u = agent.checkForUpgrade();
            String text = "Upgrade check: running " + u.currentVersion + ", target "
                    + (u.targetVersion == null ? "unknown" : u.targetVersion) + ", state " + u.state
                    + (u.lastFailure == null ? "" : " (" + u.lastFailure + ")")
                    + (u.retryAt == null ? "" : ", tried again at " + u.retryAt);
            LOG.info("Upgrade check requested from the Web Console: {}", u.state);
            return new AgentStatusPage.Notice(false, text);
        } catch (IOException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.warn("Upgrade check requested from the Web Console failed: {}", reason);
            return new AgentStatusPage.Notice(true, "Upgrade check failed: " + reason);
        }
    }

    private void writeJson(HttpServletResponse response) throws IOException {
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        PrintWriter out = response.getWriter();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("status", agent.status());
        json.put("bundles", agent.bundles());
        json.put("upgrade", agent.upgradeStatus());
        json.put("configuration", agent.configuration());
        FileCleaner c = cleaner;
        if (c != null) {
            json.put("cleaner", c.status());
        }
        out.println(JSON.writeValueAsString(json));
    }

    /** @return the Web Console's configuration page of the agent's pid, beside this page */
    private static String configPage(HttpServletRequest request) {
        String root = pluginRoot(request);
        int slash = root.lastIndexOf('/');
        return (slash < 0 ? "" : root.substring(0, slash)) + "/configMgr/io.midway.agent";
    }

    private static boolean isJsonRequest(HttpServletRequest request) {
        String pathInfo = request.getPathInfo();
        String path = pathInfo != null ? pathInfo : request.getRequestURI();
        return path != null && path.endsWith(".json");
    }

    /** @return the page's URL: what the Web Console says, else the request's own path */
    private static String pluginRoot(HttpServletRequest request) {
        Object root = request.getAttribute(PLUGIN_ROOT_ATTRIBUTE);
        if (root instanceof String && !((String) root).isEmpty()) {
            return (String) root;
        }
        String uri = request.getRequestURI();
        return uri.endsWith(".json") ? uri.substring(0, uri.length() - ".json".length()) : uri;
    }

    private static void plainError(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().println(message);
    }
}
