package io.midway.instance.http.internal;

import java.io.IOException;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import io.midway.instance.api.AgentConfigStatus;
import io.midway.instance.api.AgentSettings;
import io.midway.instance.api.ConfigError;
import io.midway.instance.api.ResolvedSetting;
import io.midway.instance.api.Users;
import io.midway.wire.AgentConfigSnapshot;
import io.midway.wire.ConfigReport;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Configuration from the instance, for agents (role mid_server; an agent's identity acts for its
 * own agent only, 403 for another):
 * <ul>
 * <li>{@code GET /api/mid/config?agent=NAME} — {@code AgentConfigSnapshot}: the revision and the
 * settings the instance holds for that agent, resolved (parameter over property for the agent
 * over global property), each with its source</li>
 * <li>{@code POST /api/mid/config/report} — body {@code ConfigReport}; kept on the agent's record,
 * answered {@code {"result": {"name", "revision", "state"}}}</li>
 * </ul>
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({AgentConfigServlet.PATH, AgentConfigServlet.PATH + "/*"})
@HttpWhiteboardServletName("midway-agent-config")
public class AgentConfigServlet extends ApiServlet {

    /** Where the agent-facing configuration is. */
    public static final String PATH = "/api/mid/config";

    private static final long serialVersionUID = 1L;

    private final transient AgentSettings settings;

    /**
     * @param settings the agent properties and parameters
     * @param realm the users
     */
    @Activate
    public AgentConfigServlet(@Reference AgentSettings settings, @Reference Users realm) {
        super(realm);
        this.settings = settings;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Users.User user = authenticate(request, Users.ROLE_MID_SERVER);
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        if (path.isEmpty() || path.equals("/")) {
            requireMethod(request, "GET");
            String agent = param(request, "agent")
                    .orElseThrow(() -> RequestException.badRequest("query parameter 'agent' is required"));
            authorizeAgent(user, agent);
            // the revision before the values: a change in between makes the agent fetch again
            String revision = settings.revision();
            List<AgentConfigSnapshot.Setting> result = settings.resolve(agent).stream()
                    .map(s -> new AgentConfigSnapshot.Setting(s.name(), s.value(), s.source())).toList();
            writeJson(response, 200, new AgentConfigSnapshot(revision, result));
        } else if (path.equals("/report")) {
            requireMethod(request, "POST");
            ConfigReport report = readBody(request, ConfigReport.class);
            if (report == null) {
                throw RequestException.badRequest("a ConfigReport body is required");
            }
            authorizeAgent(user, report.name());
            AgentConfigStatus kept = settings.report(report.name(), report.revision(), report.state(),
                    report.errors().stream().map(e -> e == null ? null
                            : new ConfigError(e.name(), e.value(), e.message())).toList(),
                    report.effective().stream().map(e -> e == null ? null
                            : new ResolvedSetting(e.name(), e.value(), e.source())).toList());
            writeJson(response, 200, result(new Kept(kept.agent(), kept.revision(), kept.state())));
        } else {
            throw RequestException.notFound("no API at " + request.getRequestURI(),
                    "configuration: " + PATH + "?agent=NAME, " + PATH + "/report");
        }
    }

    /** What a report answers. */
    record Kept(String name, String revision, String state) {
    }
}
