package io.midway.instance.http.internal;

import io.midway.instance.api.Users;
import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.AgentSelection;
import io.midway.instance.api.Selection;
import io.midway.wire.Json;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code POST /api/mid/admin/select} (role admin) {@code {"application","ip","capability","algorithm"}}:
 * which agent the instance would choose for such work, and why, without enqueuing anything. Answers
 * {@code {"result":{"agent","algorithm","rule","reason","steps":[…]}}}; {@code agent} is
 * {@code null} when no agent may take it, and {@code reason} then names every rule that failed.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/mid/admin/select")
@HttpWhiteboardServletName("midway-agent-selection")
public class AgentSelectionServlet extends ApiServlet {

    private static final long serialVersionUID = 1L;

    private final transient AgentSelection service;

    /**
     * @param service the instance
     * @param realm the users
     */
    @Activate
    public AgentSelectionServlet(@Reference AgentSelection service, @Reference Users realm) {
        super(realm);
        this.service = service;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        authenticate(request, Users.ROLE_ADMIN);
        requireMethod(request, "POST");
        JsonNode body = readTree(request);
        if (!body.isObject()) {
            throw RequestException.badRequest("the request body must be a JSON object",
                    "send {\"application\",\"ip\",\"capability\",\"algorithm\"}");
        }
        Selection selection = service.select(text(body, "application"), text(body, "ip"), text(body, "capability"),
                text(body, "algorithm"));
        ObjectNode reply = Json.mapper().createObjectNode();
        ObjectNode result = reply.putObject("result");
        result.put("agent", selection.agent());
        result.put("algorithm", selection.algorithm().label());
        result.put("rule", selection.decidedBy().name().toLowerCase(java.util.Locale.ROOT));
        result.put("reason", selection.reason());
        selection.steps().forEach(result.putArray("steps")::add);
        writeJson(response, 200, reply);
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw RequestException.badRequest("field '" + field + "' must be a string", "got " + value.getNodeType());
        }
        return value.asText();
    }
}
