package io.midway.instance.console.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.console.support.WebConsolePlugin;
import io.midway.instance.api.AgentChange;
import io.midway.instance.api.Identities;
import io.midway.instance.api.InstanceNodes;
import io.midway.instance.api.AgentRegistry;
import io.midway.instance.api.AgentClusters;
import io.midway.instance.api.AgentConfigStatus;
import io.midway.instance.api.AgentSettings;
import io.midway.instance.api.AgentSelection;
import io.midway.instance.api.InstanceException;
import io.midway.instance.api.AgentCluster;
import io.midway.instance.api.Users;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.Agent;
import io.midway.wire.Json;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The Agents page of the instance's Felix Web Console, at {@code /system/console/agents} (menu
 * "Midway"): every agent with its selection criteria and an edit form each, the agent clusters, and
 * a "Try selection" form.
 *
 * <ul>
 * <li>{@code GET /system/console/agents} — the HTML page (the console wraps it); with
 * {@code action=select&application=&ip=&capability=&algorithm=} it also shows the choice
 * {@link AgentSelection#select} makes, and why.</li>
 * <li>{@code GET /system/console/agents.json} — the agents, the clusters and the instance's
 * selection algorithm as JSON.</li>
 * <li>{@code POST /system/console/agents} with {@code action=update}, {@code sys_id},
 * {@code applications}, {@code ip_ranges}, {@code is_default}, {@code validated}, {@code status} and
 * the session's form {@code token} — builds the body a {@code PATCH /api/now/table/ecc_agent/{sys_id}}
 * would carry, parses it with {@link AgentChange#parse} and applies it with
 * {@link AgentRegistry#updateAgent}, then redirects back to the page (303), which shows the outcome; a
 * refused change (the API's 400/404) changes nothing and is shown with the values as submitted.</li>
 * <li>{@code POST /system/console/agents} with {@code action=user-create} ({@code user_name},
 * {@code agent}, {@code roles}, {@code password}), or {@code action=user-disable},
 * {@code user-enable}, {@code user-delete} with an identity's {@code sys_id}, and the token — the
 * {@code sys_user} identities, with the rules of {@code POST /api/now/table/sys_user}
 * ({@link io.midway.instance.api.IdentityRules}); then the same redirect and outcome.</li>
 * <li>{@code POST /system/console/agents} with {@code action=cluster-create} ({@code cluster_name},
 * {@code cluster_type}, {@code cluster_members}), {@code cluster-update} ({@code cluster_sys_id},
 * {@code cluster_type}, {@code cluster_members}) or {@code cluster-delete} ({@code cluster_sys_id}),
 * and the token — the agent clusters, with the rules of the {@code ecc_agent_cluster} Table API
 * ({@link ClusterActions}); then the same redirect and outcome.</li>
 * </ul>
 *
 * <p>The Web Console admits only its admin user. Felix Web Console 5 has no protection against
 * cross-site form posts, so the edit forms carry a random token kept in the HTTP session; a POST
 * without the session's token is refused with 403 and changes nothing.
 */
@Component(service = Servlet.class)
@WebConsolePlugin(label = AgentConsolePlugin.LABEL, title = "Agents", category = "Midway")
public class AgentConsolePlugin extends HttpServlet {

    /** The page's address below {@code /system/console/}. */
    public static final String LABEL = "agents";

    /** The form field that carries the anti-forgery token. */
    static final String TOKEN_PARAMETER = "token";
    /** The form field that names what a request does. */
    static final String ACTION_PARAMETER = "action";
    /** {@value}: save an agent's edit form (POST). */
    static final String ACTION_UPDATE = "update";
    /** {@value}: make an identity from the "New identity" form (POST). */
    static final String ACTION_USER_CREATE = "user-create";
    /** {@value}: disable an identity, by {@code sys_id} (POST). */
    static final String ACTION_USER_DISABLE = "user-disable";
    /** {@value}: enable an identity again, by {@code sys_id} (POST). */
    static final String ACTION_USER_ENABLE = "user-enable";
    /** {@value}: delete an identity, by {@code sys_id} (POST). */
    static final String ACTION_USER_DELETE = "user-delete";
    /** {@value}: try a selection (GET). */
    static final String ACTION_SELECT = "select";
    /** The query parameter that names an outcome to show. */
    static final String OUTCOME_PARAMETER = "outcome";
    /** The request attribute in which the Web Console passes the plugin's URL. */
    static final String PLUGIN_ROOT_ATTRIBUTE = "felix.webconsole.pluginRoot";
    /** The session attribute holding the form token. */
    static final String TOKEN_ATTRIBUTE = AgentConsolePlugin.class.getName() + ".token";

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(AgentConsolePlugin.class);

    private static final int KEPT_OUTCOMES = 32;

    /**
     * The outcome of an edit, shown once the browser follows the redirect.
     *
     * @param notice what happened
     * @param rejected the values of a refused edit, or {@code null}
     * @param rejectedIdentity the values (never the password) of a refused new identity, or {@code null}
     */
    private record Outcome(AgentConsolePage.Notice notice, AgentEditForm rejected, IdentityForm rejectedIdentity) {
        Outcome(AgentConsolePage.Notice notice, AgentEditForm rejected) {
            this(notice, rejected, null);
        }
    }

    private final transient AgentRegistry agents;
    private final transient AgentClusters clusters;
    private final transient InstanceNodes nodes;
    private final transient AgentSettings settings;
    private final transient AgentSelection selection;
    private final transient IdentityActions identityActions;
    private final transient ClusterActions clusterActions;

    /** Outcomes of recent edits, by the random id the redirect carries. */
    private final transient Map<String, Outcome> outcomes = new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Outcome> eldest) {
            return size() > KEPT_OUTCOMES;
        }
    };

    /**
     * @param agents the agent registry
     * @param clusters the agent clusters
     * @param selection the agent selection
     * @param identities the sys_user identities
     * @param realm the users, for the names no identity may take
     * @param nodes the instance nodes serving this database
     * @param settings the configuration from the instance (each agent's report)
     */
    @Activate
    public AgentConsolePlugin(@Reference(name = "agents") AgentRegistry agents,
            @Reference(name = "clusters") AgentClusters clusters, @Reference(name = "selection") AgentSelection selection,
            @Reference(name = "identities") Identities identities, @Reference(name = "realm") Users realm,
            @Reference(name = "nodes") InstanceNodes nodes, @Reference(name = "settings") AgentSettings settings) {
        this.nodes = nodes;
        this.settings = settings;
        this.agents = agents;
        this.clusters = clusters;
        this.selection = selection;
        this.identityActions = new IdentityActions(identities, realm);
        this.clusterActions = new ClusterActions(clusters);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (ConsoleRequests.isJsonRequest(request)) {
            writeJson(response);
            return;
        }
        if (response.getContentType() == null) {
            response.setContentType("text/html;charset=UTF-8");
        }
        Outcome outcome = null;
        String outcomeId = request.getParameter(OUTCOME_PARAMETER);
        if (outcomeId != null) {
            synchronized (outcomes) {
                outcome = outcomes.get(outcomeId);
            }
        }
        AgentConsolePage.SelectionTrial trial = ACTION_SELECT.equals(request.getParameter(ACTION_PARAMETER))
                ? trySelection(request) : null;
        List<Agent> shown = agents();
        AgentConsolePage.View view = new AgentConsolePage.View(shown, clusters(),
                selection.defaultAlgorithm(), ConsoleRequests.pluginRoot(request), ConsoleRequests.sessionToken(request),
                outcome == null ? null : outcome.notice(), outcome == null ? null : outcome.rejected(), trial,
                identityActions.all(), outcome == null ? null : outcome.rejectedIdentity(), nodes.nodes(),
                settings.revision(), configs(shown));
        AgentConsolePage.render(response.getWriter(), view);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!ConsoleRequests.hasSessionToken(request)) {
            LOG.warn("Refused an Agents console change without the session's form token (from {})",
                    request.getRemoteAddr());
            plainError(response, HttpServletResponse.SC_FORBIDDEN,
                    "This change must be submitted from the Agents page of the Web Console; reload the page and try again.");
            return;
        }
        String action = request.getParameter(ACTION_PARAMETER);
        Outcome outcome;
        if (ACTION_UPDATE.equals(action)) {
            outcome = update(AgentEditForm.of(request));
        } else if (IdentityActions.ACTIONS.contains(action)) {
            outcome = identityAction(action, request);
        } else if (ClusterActions.ACTIONS.contains(action)) {
            outcome = clusterAction(action, request);
        } else {
            plainError(response, HttpServletResponse.SC_BAD_REQUEST, "Unknown action '" + (action == null ? "" : action)
                    + "': use action=" + ACTION_UPDATE + " or one of " + IdentityActions.ACTIONS + " or "
                    + ClusterActions.ACTIONS + ".");
            return;
        }
        String id = UUID.randomUUID().toString();
        synchronized (outcomes) {
            outcomes.put(id, outcome);
        }
        // 303: the browser follows with a GET (POST-redirect-GET)
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        response.setHeader("Location", ConsoleRequests.pluginRoot(request) + "?" + OUTCOME_PARAMETER + "=" + id);
    }

    /** Applies an edit through the same parsing and checks as the Table API's PATCH. */
    private Outcome update(AgentEditForm form) {
        String name = form.sysId().isEmpty() ? null
                : agents.agent(form.sysId()).map(Agent::name).orElse(null);
        String who = name == null ? "with sys_id " + form.sysId() : name;
        try {
            if (form.sysId().isEmpty()) {
                throw InstanceException.invalid("no agent chosen", "the form carries the agent's sys_id");
            }
            Agent changed = agents.updateAgent(form.sysId(), AgentChange.parse(form.toPatch()));
            String summary = "applications " + listText(changed.applications()) + "; IP ranges "
                    + listText(changed.ipRanges()) + "; default " + (changed.isDefault() ? "yes" : "no")
                    + "; validated " + (changed.validated() ? "yes" : "no") + "; status " + changed.status();
            LOG.info("Agent {} changed in the Web Console: {}", changed.name(), summary);
            return new Outcome(new AgentConsolePage.Notice(false, "Agent " + changed.name() + " saved: " + summary + "."),
                    null);
        } catch (InstanceException e) {
            String reason = e.getMessage() + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")");
            LOG.info("Web Console change of agent {} refused: {}", who, reason);
            return new Outcome(new AgentConsolePage.Notice(true, "Agent " + who + " was not changed: " + reason), form);
        }
    }

    /** Makes, disables, enables or deletes an identity, with the rules of the sys_user Table API. */
    private Outcome identityAction(String action, HttpServletRequest request) {
        if (ACTION_USER_CREATE.equals(action)) {
            IdentityForm form = IdentityForm.of(request);
            try {
                String done = identityActions.create(form, request.getParameter(IdentityForm.PASSWORD));
                return new Outcome(new AgentConsolePage.Notice(false, done), null);
            } catch (InstanceException e) {
                LOG.info("Web Console: identity '{}' was not created: {}", form.userName(), reason(e));
                return new Outcome(new AgentConsolePage.Notice(true, "Identity " + form.userName()
                        + " was not created: " + reason(e)), null, form);
            }
        }
        String sysId = orEmpty(request.getParameter(IdentityForm.SYS_ID)).trim();
        try {
            return new Outcome(new AgentConsolePage.Notice(false, identityActions.change(action, sysId)), null);
        } catch (InstanceException e) {
            return new Outcome(new AgentConsolePage.Notice(true, "The identity was not changed: " + reason(e)), null);
        }
    }

    /** Creates, changes or deletes a cluster, with the rules of the ecc_agent_cluster Table API. */
    private Outcome clusterAction(String action, HttpServletRequest request) {
        try {
            String done = clusterActions.apply(action, request.getParameter(ClusterActions.SYS_ID),
                    request.getParameter(ClusterActions.NAME), request.getParameter(ClusterActions.TYPE),
                    request.getParameter(ClusterActions.MEMBERS));
            LOG.info("Web Console: {}", done);
            return new Outcome(new AgentConsolePage.Notice(false, done), null);
        } catch (InstanceException e) {
            LOG.info("Web Console: a cluster change was refused: {}", reason(e));
            return new Outcome(new AgentConsolePage.Notice(true, "The cluster was not changed: " + reason(e)), null);
        }
    }

    private static String reason(InstanceException e) {
        return e.getMessage() + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")");
    }

    private AgentConsolePage.SelectionTrial trySelection(HttpServletRequest request) {
        String application = orEmpty(request.getParameter("application"));
        String ip = orEmpty(request.getParameter("ip"));
        String capability = orEmpty(request.getParameter("capability"));
        String algorithm = orEmpty(request.getParameter("algorithm")).trim();
        try {
            return new AgentConsolePage.SelectionTrial(application, ip, capability, algorithm,
                    selection.select(application, ip, capability, algorithm), null);
        } catch (InstanceException e) {
            String reason = e.getMessage() + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")");
            return new AgentConsolePage.SelectionTrial(application, ip, capability, algorithm, null, reason);
        }
    }

    private List<Agent> agents() {
        return agents.agents(TableQuery.all(TableSchema.ECC_AGENT));
    }

    private List<AgentCluster> clusters() {
        return clusters.clusters(TableQuery.all(TableSchema.ECC_AGENT_CLUSTER));
    }

    private void writeJson(HttpServletResponse response) throws IOException {
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("selection_algorithm", selection.defaultAlgorithm());
        ArrayNode agents = json.putArray("agents");
        for (Agent agent : agents()) {
            agents.add(AgentJson.json(agent));
        }
        ArrayNode clusters = json.putArray("clusters");
        for (AgentCluster cluster : clusters()) {
            clusters.add(cluster.toJson());
        }
        NodeSection.json(json, nodes.nodes());
        ConfigSection.json(json, settings.revision(), configs(agents()));
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    /** @return each agent's last configuration report, in the order of the agents */
    private List<AgentConfigStatus> configs(List<Agent> shown) {
        List<AgentConfigStatus> configs = new java.util.ArrayList<>(shown.size());
        for (Agent agent : shown) {
            settings.status(agent.name()).ifPresent(configs::add);
        }
        return configs;
    }

    private static String listText(List<String> values) {
        return values == null || values.isEmpty() ? "none" : String.join(", ", values);
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }

    private static void plainError(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().println(message);
    }
}
