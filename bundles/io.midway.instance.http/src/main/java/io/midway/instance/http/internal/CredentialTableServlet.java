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

import io.midway.instance.api.Credentials;
import io.midway.instance.api.EccQueue;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The Table API of {@code discovery_credentials} (role admin), also under {@code /api/now/v2/table/}
 * (its patterns are longer than the {@link TableApiServlet}'s, so they win):
 * <ul>
 * <li>{@code GET discovery_credentials} — {@code sysparm_query} (on sys_id, name, type, order,
 * active, resolver, external_id), {@code sysparm_fields}, {@code sysparm_limit}, {@code sysparm_offset}</li>
 * <li>{@code GET discovery_credentials/{sys_id}} — {@code sysparm_fields}</li>
 * <li>{@code POST discovery_credentials} — one credential, 201 with {@code Location}</li>
 * <li>{@code PATCH} (or {@code PUT}) {@code discovery_credentials/{sys_id}} — change fields</li>
 * <li>{@code DELETE discovery_credentials/{sys_id}} — 204</li>
 * </ul>
 * A record never carries a secret value: {@code secrets_set} lists the names of those set.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/api/now/table/discovery_credentials/*", "/api/now/v2/table/discovery_credentials/*"})
@HttpWhiteboardServletName("midway-credential-table")
public class CredentialTableServlet extends ApiServlet {

    private static final long serialVersionUID = 1L;

    private final transient Credentials credentials;
    private final transient EccQueue counts;

    /**
     * @param credentials the credential store
     * @param counts counts the records a query matches (the Aggregate API's count)
     * @param realm the users
     */
    @Activate
    public CredentialTableServlet(@Reference Credentials credentials, @Reference EccQueue counts, @Reference Users realm) {
        super(realm);
        this.credentials = credentials;
        this.counts = counts;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        authenticate(request, Users.ROLE_ADMIN);
        String path = request.getPathInfo();
        String sysId = null;
        if (path != null && !path.equals("/")) {
            String rest = path.substring(1);
            if (rest.endsWith("/")) {
                rest = rest.substring(0, rest.length() - 1);
            }
            if (rest.isEmpty() || rest.contains("/")) {
                throw RequestException.notFound("no API at " + request.getRequestURI());
            }
            sysId = rest;
        }
        TableSchema table = TableSchema.DISCOVERY_CREDENTIALS;
        if (sysId == null) {
            String method = requireMethod(request, "GET", "POST");
            if ("GET".equals(method)) {
                TableResponses.DisplayValue display = TableResponses.displayValue(request);
                TableQuery query = TableQueries.parse(request, table);
                List<ObjectNode> rows = credentials.list(query);
                TableResponses.paginate(request, response, query, counts.count(query));
                writeJson(response, 200, result(TableResponses.shape(rows, display)));
            } else {
                ObjectNode created = credentials.create(readTree(request));
                response.setHeader("Location", TableResponses.location(request, created.path("sys_id").asText()));
                writeJson(response, 201, result(created));
            }
            return;
        }
        String id = sysId;
        String method = requireMethod(request, "GET", "PATCH", "PUT", "DELETE");
        switch (method) {
            case "GET" -> {
                TableResponses.DisplayValue display = TableResponses.displayValue(request);
                List<String> fields = TableQuery.parseFields(table, request.getParameter("sysparm_fields"));
                ObjectNode credential = credentials.get(id).orElseThrow(() -> new RequestException(
                        RequestException.Kind.NOT_FOUND, "No Record found",
                        "no discovery_credentials record with sys_id " + id));
                writeJson(response, 200, result(TableResponses.shape(TableQuery.project(credential, fields), display)));
            }
            case "DELETE" -> {
                credentials.delete(id);
                response.setStatus(204);
                response.setHeader("Cache-Control", "no-store");
            }
            default -> writeJson(response, 200, result(credentials.update(id, readTree(request))));
        }
    }
}
