package io.midway.instance.http.internal;

import io.midway.instance.api.Users;
import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import io.midway.instance.api.AgentPolls;
import io.midway.instance.api.QueueRecord;
import io.midway.wire.InputBatch;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code POST /api/mid/ecc/input} (role mid_server): body {@link InputBatch}; answers
 * {@code {"result":[{"response_to","sys_id","status":"inserted"|"duplicate"}]}}.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/mid/ecc/input")
@HttpWhiteboardServletName("midway-ecc-input")
public class EccInputServlet extends ApiServlet {

    private static final long serialVersionUID = 1L;

    private final transient AgentPolls service;

    /**
     * @param service the instance
     * @param realm the users
     */
    @Activate
    public EccInputServlet(@Reference AgentPolls service, @Reference Users realm) {
        super(realm);
        this.service = service;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        requireMethod(request, "POST");
        Users.User user = authenticate(request, Users.ROLE_MID_SERVER);
        InputBatch batch = readBody(request, InputBatch.class);
        if (batch != null && batch.records() != null) {
            // Each result answers an output record: it must be one addressed to the caller's agent,
            // or nothing of the batch is stored. One read for the whole batch, not one per record.
            java.util.List<String> answered = batch.records().stream()
                    .filter(r -> r != null && r.responseTo() != null).map(r -> r.responseTo()).toList();
            java.util.Map<String, String> agents = service.agentsOf(answered);
            for (String field : agents.values().stream().filter(java.util.Objects::nonNull)
                    .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new))) {
                authorizeAgent(user, field.startsWith(QueueRecord.AGENT_PREFIX)
                        ? field.substring(QueueRecord.AGENT_PREFIX.length()) : field);
            }
        }
        writeJson(response, 200, result(service.input(WireRecords.fromWire(batch))));
    }
}
