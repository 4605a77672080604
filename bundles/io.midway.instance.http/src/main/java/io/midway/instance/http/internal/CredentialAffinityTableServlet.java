package io.midway.instance.http.internal;

import io.midway.instance.api.Users;
import java.io.IOException;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.CredentialAffinities;
import io.midway.instance.api.EccQueue;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The Table API of {@code dscy_credentials_affinity} (role admin), also under
 * {@code /api/now/v2/table/} (its patterns are longer than the {@link TableApiServlet}'s, so they win):
 * <ul>
 * <li>{@code GET dscy_credentials_affinity} — {@code sysparm_query} (on sys_id, agent, credential,
 * type, target), {@code sysparm_fields}, {@code sysparm_limit}, {@code sysparm_offset}</li>
 * <li>{@code GET dscy_credentials_affinity/{sys_id}} — {@code sysparm_fields}</li>
 * <li>{@code DELETE dscy_credentials_affinity/{sys_id}} — forget one row, 204</li>
 * </ul>
 * Each row carries {@code credential_name}. The agents write the table
 * ({@link CredentialAffinityServlet}); admins do not insert or change rows.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/api/now/table/dscy_credentials_affinity/*",
    "/api/now/v2/table/dscy_credentials_affinity/*"})
@HttpWhiteboardServletName("midway-credential-affinity-table")
public class CredentialAffinityTableServlet extends ApiServlet {

    private static final long serialVersionUID = 1L;

    private final transient CredentialAffinities affinity;
    private final transient EccQueue counts;

    /**
     * @param affinity the credential affinity
     * @param counts counts the records a query matches (the Aggregate API's count)
     * @param realm the users
     */
    @Activate
    public CredentialAffinityTableServlet(@Reference CredentialAffinities affinity, @Reference EccQueue counts,
            @Reference Users realm) {
        super(realm);
        this.affinity = affinity;
        this.counts = counts;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        authenticate(request, Users.ROLE_ADMIN);
        String path = request.getPathInfo();
        TableSchema table = TableSchema.DSCY_CREDENTIALS_AFFINITY;
        if (path == null || path.equals("/")) {
            requireMethod(request, "GET");
            TableResponses.DisplayValue display = TableResponses.displayValue(request);
            TableQuery query = TableQueries.parse(request, table);
            List<ObjectNode> rows = affinity.list(query);
            TableResponses.paginate(request, response, query, counts.count(query));
            writeJson(response, 200, result(TableResponses.shape(rows, display)));
            return;
        }
        String rest = path.substring(1);
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        if (rest.isEmpty() || rest.contains("/")) {
            throw RequestException.notFound("no API at " + request.getRequestURI());
        }
        String sysId = rest;
        if ("GET".equals(requireMethod(request, "GET", "DELETE"))) {
            TableResponses.DisplayValue display = TableResponses.displayValue(request);
            List<String> fields = TableQuery.parseFields(table, request.getParameter("sysparm_fields"));
            ObjectNode row = affinity.get(sysId).orElseThrow(() -> CredentialAffinities.notFound(sysId));
            writeJson(response, 200, result(TableResponses.shape(TableQuery.project(row, fields), display)));
        } else {
            affinity.delete(sysId);
            response.setStatus(204);
            response.setHeader("Cache-Control", "no-store");
        }
    }
}
