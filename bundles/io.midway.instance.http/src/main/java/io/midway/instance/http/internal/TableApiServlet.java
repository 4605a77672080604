package io.midway.instance.http.internal;

import io.midway.instance.api.Users;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.AgentChange;
import io.midway.instance.api.AgentSetting;
import io.midway.instance.api.AgentSettingChange;
import io.midway.instance.api.AgentSettings;
import io.midway.instance.api.ClusterChange;
import io.midway.instance.api.AgentRegistry;
import io.midway.instance.api.AgentClusters;
import io.midway.instance.api.EccChange;
import io.midway.instance.api.EccQueue;
import io.midway.instance.api.OutputRequest;
import io.midway.instance.api.AgentCluster;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;
import io.midway.wire.Json;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The ServiceNow-shaped Table API (role admin), also under the {@code /api/now/v2/table/} prefix:
 * <ul>
 * <li>{@code GET ecc_queue}, {@code GET ecc_agent} — {@code sysparm_query}, {@code sysparm_fields},
 * {@code sysparm_limit}, {@code sysparm_offset}, {@code sysparm_display_value}; lists answer
 * {@code X-Total-Count} and {@code Link} ({@link TableResponses}); other {@code sysparm_*} are ignored</li>
 * <li>{@code GET ecc_queue/{sys_id}}, {@code GET ecc_agent/{sys_id}} — {@code sysparm_fields}</li>
 * <li>{@code POST ecc_queue} — insert an output record, 201; or a JSON array of up to
 * {@link OutputRequest#MAX_BATCH_RECORDS} of them, all in one transaction (a 400 naming the index of
 * an invalid one inserts none)</li>
 * <li>{@code PATCH} (or {@code PUT}) {@code ecc_queue/{sys_id}} — change a ready record ({@link EccChange});
 * {@code DELETE ecc_queue/{sys_id}}, 204 — delete one not leased to an agent</li>
 * <li>{@code PATCH} (or {@code PUT}) {@code ecc_agent/{sys_id}} — pause/resume, validate, selection
 * fields</li>
 * <li>{@code GET ecc_agent_cluster[/{sys_id}]}, {@code POST ecc_agent_cluster} (201 with
 * {@code Location}), {@code PATCH} (or {@code PUT}) and {@code DELETE ecc_agent_cluster/{sys_id}} —
 * the agent clusters</li>
 * </ul>
 * <ul>
 * <li>{@code GET ecc_agent_property[/{sys_id}]}, {@code POST} (201), {@code PATCH}/{@code PUT} and
 * {@code DELETE ecc_agent_property/{sys_id}}; the same for {@code ecc_agent_config} — configuration
 * from the instance ({@link AgentSettings}: a bad value is a 400 naming the setting and the rule)</li>
 * </ul>
 * {@code discovery_credentials} is answered by {@link CredentialTableServlet},
 * {@code dscy_credentials_affinity} by {@link CredentialAffinityTableServlet}.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/api/now/table/*", "/api/now/v2/table/*"})
@HttpWhiteboardServletName("midway-table-api")
public class TableApiServlet extends ApiServlet {

    private static final long serialVersionUID = 1L;

    private final transient EccQueue queue;
    private final transient AgentRegistry agents;
    private final transient AgentClusters clusters;
    private final transient AgentSettings settings;

    /**
     * @param queue the ECC queue
     * @param agents the agent registry
     * @param clusters the agent clusters
     * @param settings the agent properties and configuration parameters
     * @param realm the users
     */
    @Activate
    public TableApiServlet(@Reference EccQueue queue, @Reference AgentRegistry agents,
            @Reference AgentClusters clusters, @Reference AgentSettings settings, @Reference Users realm) {
        super(realm);
        this.queue = queue;
        this.agents = agents;
        this.clusters = clusters;
        this.settings = settings;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        authenticate(request, Users.ROLE_ADMIN);
        String path = request.getPathInfo();
        if (path == null || path.equals("/")) {
            throw RequestException.notFound("name a table",
                    "tables: " + TableSchema.tableNames());
        }
        String[] parts = path.substring(1).split("/", -1);
        if (parts.length > 2) {
            throw RequestException.notFound("no API at " + request.getRequestURI());
        }
        TableSchema table = TableSchema.forName(parts[0]).orElseThrow(() -> RequestException.notFound(
                "Invalid table " + parts[0],
                "tables: " + TableSchema.tableNames()));
        String sysId = parts.length == 2 && !parts[1].isEmpty() ? parts[1] : null;
        if (table == TableSchema.DISCOVERY_CREDENTIALS || table == TableSchema.DSCY_CREDENTIALS_AFFINITY) {
            // CredentialTableServlet / CredentialAffinityTableServlet have the longer patterns; they are
            // not registered when the credential store could not start (its master key is missing or damaged).
            throw new RequestException(RequestException.Kind.UNAVAILABLE, "the credential store is not running",
                    "the instance log says why (e.g. its master key credentials.key is unreadable)");
        }
        if (table == TableSchema.ECC_QUEUE) {
            eccQueue(request, response, sysId);
        } else if (table == TableSchema.ECC_AGENT_CLUSTER) {
            eccAgentCluster(request, response, sysId);
        } else if (table == TableSchema.ECC_AGENT_PROPERTY || table == TableSchema.ECC_AGENT_CONFIG) {
            agentSettings(request, response, table, sysId);
        } else {
            eccAgent(request, response, sysId);
        }
    }

    private void eccQueue(HttpServletRequest request, HttpServletResponse response, String sysId) throws IOException {
        if (sysId == null) {
            String method = requireMethod(request, "GET", "POST");
            if ("GET".equals(method)) {
                TableResponses.DisplayValue display = TableResponses.displayValue(request);
                TableQuery query = query(request, TableSchema.ECC_QUEUE);
                List<ObjectNode> rows = project(WireRecords.queueToWire(queue.records(query)), query.fields());
                TableResponses.paginate(request, response, query, queue.count(query));
                writeJson(response, 200, result(TableResponses.shape(rows, display)));
            } else {
                JsonNode body = readTree(request);
                if (body != null && body.isArray()) {
                    writeJson(response, 201, result(WireRecords.queueToWire(queue.insertOutputs(OutputRequest.parseBatch(body)))));
                    return;
                }
                QueueRecord inserted = queue.insertOutput(OutputRequest.parse(body));
                response.setHeader("Location", TableResponses.location(request, inserted.sysId()));
                writeJson(response, 201, result(WireRecords.toWire(inserted)));
            }
            return;
        }
        switch (requireMethod(request, "GET", "PATCH", "PUT", "DELETE")) {
            case "DELETE" -> {
                queue.deleteRecord(sysId);
                response.setStatus(204);
                response.setHeader("Cache-Control", "no-store");
                return;
            }
            case "PATCH", "PUT" -> {
                TableResponses.DisplayValue shown = TableResponses.displayValue(request);
                QueueRecord changed = queue.updateRecord(sysId, EccChange.parse(readTree(request)));
                writeJson(response, 200, result(TableResponses.shape(
                        (ObjectNode) Json.mapper().valueToTree(WireRecords.toWire(changed)), shown)));
                return;
            }
            default -> {
                // GET, below
            }
        }
        TableResponses.DisplayValue display = TableResponses.displayValue(request);
        List<String> fields = TableQuery.parseFields(TableSchema.ECC_QUEUE, request.getParameter("sysparm_fields"));
        QueueRecord record = queue.record(sysId)
                .orElseThrow(() -> new RequestException(RequestException.Kind.NOT_FOUND, "No Record found",
                        "no ecc_queue record with sys_id " + sysId));
        writeJson(response, 200, result(TableResponses.shape(
                TableQuery.project(Json.mapper().valueToTree(WireRecords.toWire(record)), fields), display)));
    }

    private void eccAgent(HttpServletRequest request, HttpServletResponse response, String sysId) throws IOException {
        if (sysId == null) {
            requireMethod(request, "GET");
            TableResponses.DisplayValue display = TableResponses.displayValue(request);
            TableQuery query = query(request, TableSchema.ECC_AGENT);
            List<ObjectNode> rows = project(WireRecords.agentsToWire(agents.agents(query)), query.fields());
            TableResponses.paginate(request, response, query, queue.count(query));
            writeJson(response, 200, result(TableResponses.shape(rows, display)));
            return;
        }
        String method = requireMethod(request, "GET", "PATCH", "PUT");
        if ("GET".equals(method)) {
            TableResponses.DisplayValue display = TableResponses.displayValue(request);
            List<String> fields = TableQuery.parseFields(TableSchema.ECC_AGENT, request.getParameter("sysparm_fields"));
            Agent agent = agents.agent(sysId)
                    .orElseThrow(() -> new RequestException(RequestException.Kind.NOT_FOUND, "No Record found",
                            "no ecc_agent record with sys_id " + sysId));
            writeJson(response, 200, result(TableResponses.shape(
                    TableQuery.project(Json.mapper().valueToTree(WireRecords.toWire(agent)), fields), display)));
            return;
        }
        AgentChange change = AgentChange.parse(readTree(request));
        writeJson(response, 200, result(WireRecords.toWire(agents.updateAgent(sysId, change))));
    }

    private void eccAgentCluster(HttpServletRequest request, HttpServletResponse response, String sysId)
            throws IOException {
        TableSchema table = TableSchema.ECC_AGENT_CLUSTER;
        if (sysId == null) {
            if ("GET".equals(requireMethod(request, "GET", "POST"))) {
                TableResponses.DisplayValue display = TableResponses.displayValue(request);
                TableQuery query = query(request, table);
                List<ObjectNode> rows = new ArrayList<>();
                for (AgentCluster cluster : clusters.clusters(query)) {
                    rows.add(query.project(cluster.toJson()));
                }
                TableResponses.paginate(request, response, query, queue.count(query));
                writeJson(response, 200, result(TableResponses.shape(rows, display)));
            } else {
                AgentCluster created = clusters.createCluster(ClusterChange.parse(readTree(request)));
                response.setHeader("Location", TableResponses.location(request, created.sysId()));
                writeJson(response, 201, result(created.toJson()));
            }
            return;
        }
        switch (requireMethod(request, "GET", "PATCH", "PUT", "DELETE")) {
            case "GET" -> {
                TableResponses.DisplayValue display = TableResponses.displayValue(request);
                List<String> fields = TableQuery.parseFields(table, request.getParameter("sysparm_fields"));
                AgentCluster cluster = clusters.cluster(sysId).orElseThrow(() -> new RequestException(
                        RequestException.Kind.NOT_FOUND, "No Record found",
                        "no ecc_agent_cluster record with sys_id " + sysId));
                writeJson(response, 200, result(TableResponses.shape(TableQuery.project(cluster.toJson(), fields), display)));
            }
            case "DELETE" -> {
                clusters.deleteCluster(sysId);
                response.setStatus(204);
                response.setHeader("Cache-Control", "no-store");
            }
            default -> writeJson(response, 200,
                    result(clusters.updateCluster(sysId, ClusterChange.parse(readTree(request))).toJson()));
        }
    }

    /** {@code ecc_agent_property} and {@code ecc_agent_config}: the same shape, the same verbs. */
    private void agentSettings(HttpServletRequest request, HttpServletResponse response, TableSchema table,
            String sysId) throws IOException {
        if (sysId == null) {
            if ("GET".equals(requireMethod(request, "GET", "POST"))) {
                TableResponses.DisplayValue display = TableResponses.displayValue(request);
                TableQuery query = query(request, table);
                List<ObjectNode> rows = new ArrayList<>();
                for (AgentSetting setting : settings.settings(query)) {
                    rows.add(query.project(setting.toJson()));
                }
                TableResponses.paginate(request, response, query, queue.count(query));
                writeJson(response, 200, result(TableResponses.shape(rows, display)));
            } else {
                AgentSetting created = settings.create(table, AgentSettingChange.parse(readTree(request)));
                response.setHeader("Location", TableResponses.location(request, created.sysId()));
                writeJson(response, 201, result(created.toJson()));
            }
            return;
        }
        switch (requireMethod(request, "GET", "PATCH", "PUT", "DELETE")) {
            case "GET" -> {
                TableResponses.DisplayValue display = TableResponses.displayValue(request);
                List<String> fields = TableQuery.parseFields(table, request.getParameter("sysparm_fields"));
                AgentSetting setting = settings.setting(table, sysId).orElseThrow(() -> new RequestException(
                        RequestException.Kind.NOT_FOUND, "No Record found",
                        "no " + table.name() + " record with sys_id " + sysId));
                writeJson(response, 200, result(TableResponses.shape(TableQuery.project(setting.toJson(), fields), display)));
            }
            case "DELETE" -> {
                settings.delete(table, sysId);
                response.setStatus(204);
                response.setHeader("Cache-Control", "no-store");
            }
            default -> writeJson(response, 200,
                    result(settings.update(table, sysId, AgentSettingChange.parse(readTree(request))).toJson()));
        }
    }

    private static TableQuery query(HttpServletRequest request, TableSchema table) {
        return TableQueries.parse(request, table);
    }

    private static List<ObjectNode> project(List<?> records, List<String> fields) {
        List<ObjectNode> rows = new ArrayList<>(records.size());
        for (Object record : records) {
            rows.add(TableQuery.project(Json.mapper().valueToTree(record), fields));
        }
        return rows;
    }
}
