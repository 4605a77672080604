package io.midway.instance.http.internal;

import io.midway.instance.api.Users;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.api.Identities;
import io.midway.instance.api.IdentityRules;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.wire.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.midway.instance.api.UserRow;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The Table API of {@code sys_user}: the identities that log in besides {@code admin} and the
 * shared agent user — each agent's own (role {@code mid_server}, bound to its name in
 * {@code agent}, made at its enrollment or by an admin) and further admins, beside the built-in
 * users (source {@code built-in}: the admin; the shared agent user, to itself). An admin reads and
 * changes all; any other user reads only its own record (a client's look-up of its own user at
 * login). A record never carries a password. The rules of an identity are {@link IdentityRules}'.
 * <ul>
 * <li>{@code GET sys_user} — the encoded query ({@link TableQuery}, on {@link TableSchema#SYS_USER}),
 * name-value filters ({@code ?user_name=NAME}), {@code sysparm_fields}, {@code sysparm_limit},
 * {@code sysparm_offset}, {@code sysparm_display_value}; {@code X-Total-Count} and {@code Link}</li>
 * <li>{@code GET sys_user/{sys_id}}</li>
 * <li>{@code POST sys_user} — {@code {"user_name","password","roles","agent","active"}}, 201</li>
 * <li>{@code PATCH} (or {@code PUT}) {@code sys_user/{sys_id}} — {@code active} (disable, enable),
 * {@code password}, {@code roles}, {@code agent}</li>
 * <li>{@code DELETE sys_user/{sys_id}} — 204; an enrolled agent may then enroll again</li>
 * </ul>
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/api/now/table/sys_user/*", "/api/now/v2/table/sys_user/*"})
@HttpWhiteboardServletName("midway-user-table")
public class UserTableServlet extends ApiServlet {

    private static final long serialVersionUID = 1L;

    private final transient Identities identities;
    private final transient Users users;

    /**
     * @param identities the identities
     * @param realm the users
     */
    @Activate
    public UserTableServlet(@Reference Identities identities, @Reference Users realm) {
        super(realm);
        this.identities = identities;
        this.users = realm;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Users.User caller = authenticateAny(request, Users.ROLE_ADMIN, Users.ROLE_MID_SERVER, Users.ROLE_MID_ENROLL);
        boolean admin = caller.hasRole(Users.ROLE_ADMIN);
        if (!admin && !"GET".equals(request.getMethod())) {
            throw new RequestException(RequestException.Kind.FORBIDDEN, "User Not Authorized",
                    "user '" + caller.name() + "' may only read its own sys_user record");
        }
        String path = request.getPathInfo();
        String sysId = null;
        if (path != null && !path.equals("/")) {
            String rest = path.substring(1).replaceAll("/+$", "");
            if (rest.isEmpty() || rest.contains("/")) {
                throw RequestException.notFound("no API at " + request.getRequestURI());
            }
            sysId = rest;
        }
        if (sysId == null) {
            if ("GET".equals(requireMethod(request, "GET", "POST"))) {
                TableResponses.DisplayValue display = TableResponses.displayValue(request);
                TableQuery query = TableQueries.parse(request, TableSchema.SYS_USER);
                List<Map<String, Object>> matching = visible(caller, rows(caller)).stream().filter(query::matches)
                        .sorted(order(query)).toList();
                List<ObjectNode> page = new ArrayList<>();
                for (Map<String, Object> row : matching.subList(Math.min(query.offset(), matching.size()),
                        (int) Math.min((long) query.offset() + query.limit(), matching.size()))) {
                    page.add(query.project(Json.mapper().valueToTree(row)));
                }
                TableResponses.paginate(request, response, query, matching.size());
                writeJson(response, 200, result(TableResponses.shape(page, display)));
            } else {
                Map<String, Object> created = json(create(readTree(request)));
                response.setHeader("Location", TableResponses.location(request, (String) created.get("sys_id")));
                writeJson(response, 201, result(created));
            }
            return;
        }
        String id = sysId;
        if ("GET".equals(requireMethod(request, "GET", "PATCH", "PUT", "DELETE"))) {
            Map<String, Object> row = visible(caller, rows(caller)).stream().filter(r -> id.equals(r.get("sys_id")))
                    .findFirst().orElseThrow(() -> new RequestException(RequestException.Kind.NOT_FOUND, "No Record found",
                            "no sys_user record with sys_id " + id + (admin ? "" : " that user '" + caller.name()
                                    + "' may read (its own)")));
            writeJson(response, 200, result(TableResponses.shape(TableQuery.project(Json.mapper().valueToTree(row),
                    TableQuery.parseFields(TableSchema.SYS_USER, request.getParameter("sysparm_fields"))),
                    TableResponses.displayValue(request))));
            return;
        }
        if (builtIn(Users.ADMIN_USER).equals(sysId) || builtIn(caller.name()).equals(sysId)) {
            throw new RequestException(RequestException.Kind.CONFLICT, "built-in user",
                    "a built-in user is set at launch (MIDWAY_ADMIN_PASSWORD, MIDWAY_AGENT_PASSWORD), not through sys_user");
        }
        UserRow row = byId(sysId);
        switch (request.getMethod()) {
            case "DELETE" -> {
                identities.delete(row.sysId());
                response.setStatus(204);
                response.setHeader("Cache-Control", "no-store");
            }
            default -> writeJson(response, 200, result(json(update(row, readTree(request)))));
        }
    }

    private UserRow byId(String sysId) {
        return identities.all().stream().filter(u -> u.sysId().equals(sysId)).findFirst()
                .orElseThrow(() -> new RequestException(RequestException.Kind.NOT_FOUND, "No Record found",
                        "no sys_user record with sys_id " + sysId));
    }

    /**
     * The built-in users (the admin of {@code MIDWAY_ADMIN_PASSWORD}; the shared agent user, shown
     * to itself) beside the stored identities, so that a client that looks up its own user to log
     * in finds it. Their sys_ids are fixed: derived from the name.
     */
    private List<Map<String, Object>> rows(Users.User caller) {
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(builtInRow(Users.ADMIN_USER, Users.ROLE_ADMIN));
        if (users.isSharedUser(caller)) {
            rows.add(builtInRow(caller.name(), String.join(",", new TreeSet<>(caller.roles()))));
        }
        for (UserRow row : identities.all()) {
            rows.add(json(row));
        }
        return rows;
    }

    private static Map<String, Object> builtInRow(String name, String roles) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("sys_id", builtIn(name));
        json.put("user_name", name);
        json.put("roles", roles);
        json.put("agent", "");
        json.put("active", true);
        json.put("source", "built-in");
        json.put("sys_created_on", "");
        return json;
    }

    /** @return the fixed sys_id of a built-in user: 32 hex digits derived from its name */
    static String builtIn(String name) {
        return java.util.UUID.nameUUIDFromBytes(("midway built-in user " + name)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString().replace("-", "");
    }

    /** @return the rows a caller may read: all for an admin, its own otherwise */
    private static List<Map<String, Object>> visible(Users.User caller, List<Map<String, Object>> rows) {
        if (caller.hasRole(Users.ROLE_ADMIN)) {
            return rows;
        }
        return rows.stream().filter(r -> caller.name().equals(r.get("user_name"))).toList();
    }

    /** The query's order (default: by user name), as the store would sort. */
    private static java.util.Comparator<Map<String, Object>> order(TableQuery query) {
        List<TableQuery.Order> orders = query.orders().isEmpty()
                ? List.of(new TableQuery.Order(TableSchema.SYS_USER.field("user_name").orElseThrow(), false))
                : query.orders();
        java.util.Comparator<Map<String, Object>> order = (a, b) -> 0;
        for (TableQuery.Order o : orders) {
            java.util.Comparator<Map<String, Object>> one = java.util.Comparator.comparing(
                    row -> String.valueOf(row.get(o.field().name())));
            order = order.thenComparing(o.descending() ? one.reversed() : one);
        }
        return order;
    }

    private UserRow create(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw RequestException.badRequest("the request body must be a JSON object");
        }
        UserRow row = IdentityRules.newIdentity(identities, IdentityRules.reservedNames(users), text(body, "user_name"),
                text(body, "password"), text(body, "roles"), text(body, "agent"),
                !body.has("active") || body.path("active").asBoolean(true));
        return identities.create(row, text(body, "password"));
    }

    private UserRow update(UserRow row, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw RequestException.badRequest("the request body must be a JSON object");
        }
        for (var it = body.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!Set.of("active", "password", "roles", "agent").contains(f)) {
                throw RequestException.badRequest("sys_user: field '" + f + "' cannot be changed",
                        "changeable: active, password, roles, agent");
            }
        }
        String roles = body.has("roles") ? IdentityRules.roles(text(body, "roles"), row.roles()) : row.roles();
        String agent = IdentityRules.agent(body.has("agent") ? text(body, "agent") : row.agent(), roles);
        boolean active = body.has("active") ? body.path("active").asBoolean(row.active()) : row.active();
        String password = body.has("password") ? IdentityRules.password(text(body, "password")) : null;
        return identities.update(new UserRow(row.sysId(), row.userName(), roles, agent, active, row.passwordHash(),
                row.source(), row.createdOn()), password);
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw RequestException.badRequest("field '" + field + "' must be a string");
        }
        return value.asText();
    }

    private static Map<String, Object> json(UserRow row) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("sys_id", row.sysId());
        json.put("user_name", row.userName());
        json.put("roles", row.roles());
        json.put("agent", row.agent() == null ? "" : row.agent());
        json.put("active", row.active());
        json.put("source", row.source());
        json.put("sys_created_on", row.createdOn());
        return json;
    }
}
