package io.midway.instance.http.internal;

import io.midway.instance.api.Users;
import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.EccQueue;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.wire.Json;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The count of ServiceNow's Aggregate API (role admin): {@code GET /api/now/stats/{table}
 * ?sysparm_count=true&sysparm_query=…} answers {@code {"result":{"stats":{"count":"N"}}}}, the
 * number of rows the query matches, without reading them. Other aggregates ({@code sysparm_avg_fields},
 * {@code sysparm_group_by}, …) are refused with a 400 rather than ignored.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/api/now/stats/*", "/api/now/v1/stats/*"})
@HttpWhiteboardServletName("midway-stats-api")
public class StatsApiServlet extends ApiServlet {

    private static final long serialVersionUID = 1L;
    private static final String[] UNSUPPORTED = {"sysparm_avg_fields", "sysparm_min_fields", "sysparm_max_fields",
        "sysparm_sum_fields", "sysparm_group_by", "sysparm_having", "sysparm_order_by"};

    private final transient EccQueue service;

    /**
     * @param service the instance
     * @param realm the users
     */
    @Activate
    public StatsApiServlet(@Reference EccQueue service, @Reference Users realm) {
        super(realm);
        this.service = service;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        authenticate(request, Users.ROLE_ADMIN);
        String path = request.getPathInfo();
        String tables = TableSchema.tableNames();
        if (path == null || path.equals("/")) {
            throw RequestException.notFound("name a table", "tables: " + tables);
        }
        String name = path.substring(1);
        TableSchema table = TableSchema.forName(name).orElseThrow(() -> RequestException.notFound(
                "Invalid table " + name, "tables: " + tables));
        requireMethod(request, "GET");
        for (String parameter : UNSUPPORTED) {
            if (request.getParameter(parameter) != null) {
                throw RequestException.badRequest(parameter + " is not supported",
                        "this instance counts only: sysparm_count=true with an optional sysparm_query");
            }
        }
        if (!"true".equalsIgnoreCase(request.getParameter("sysparm_count"))) {
            throw RequestException.badRequest("sysparm_count=true is required",
                    "this instance answers the count only");
        }
        TableQuery query = TableQuery.parse(table, request.getParameter("sysparm_query"), null, null, null);
        ObjectNode reply = Json.mapper().createObjectNode();
        reply.putObject("result").putObject("stats").put("count", Long.toString(service.count(query)));
        writeJson(response, 200, reply);
    }
}
