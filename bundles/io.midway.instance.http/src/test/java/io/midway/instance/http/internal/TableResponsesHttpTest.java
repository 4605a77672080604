package io.midway.instance.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a ServiceNow client reads around the records of the Table API, over real HTTP: the
 * {@code X-Total-Count} and {@code Link} headers of lists (followed page by page, as clients that
 * page do), the absolute {@code Location} of a 201, {@code sysparm_display_value}, and a user's
 * look-up of its own {@code sys_user} record.
 */
public class TableResponsesHttpTest extends WholeServerFixture {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LINK = Pattern.compile("<([^>]*)>;rel=\"([a-z]+)\"");
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> send(String method, String pathOrUrl, String credentials, String body) throws Exception {
        String url = pathOrUrl.startsWith("http") ? pathOrUrl : "http://127.0.0.1:" + port + pathOrUrl;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (credentials != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static Map<String, String> links(HttpResponse<?> r) {
        Map<String, String> links = new LinkedHashMap<>();
        Matcher m = LINK.matcher(r.headers().firstValue("Link").orElse(""));
        while (m.find()) {
            links.put(m.group(2), m.group(1));
        }
        return links;
    }

    private void insert(int n, String topic) throws Exception {
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            array.append(i == 0 ? "" : ",").append("{\"agent\":\"mid.server.pager\",\"topic\":\"").append(topic)
                    .append("\",\"payload\":{\"n\":").append(i).append("}}");
        }
        HttpResponse<String> r = send("POST", "/api/now/table/ecc_queue", ADMIN, array.append(']').toString());
        assertEquals(r.body(), 201, r.statusCode());
    }

    @Test
    public void listsCarryTheTotalAndLinksThatPageThroughEveryRecord() throws Exception {
        insert(25, "Paged");
        insert(3, "Other");
        HttpResponse<String> r = send("GET", "/api/now/table/ecc_queue?sysparm_query=topic%3DPaged&sysparm_limit=10&sysparm_offset=10",
                ADMIN, null);
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals("25", r.headers().firstValue("X-Total-Count").orElse(null));
        assertEquals(10, JSON.readTree(r.body()).path("result").size());
        Map<String, String> links = links(r);
        String base = "http://127.0.0.1:" + port + "/api/now/table/ecc_queue?sysparm_query=topic%3DPaged&";
        assertEquals(base + "sysparm_limit=10&sysparm_offset=0", links.get("first"));
        assertEquals(base + "sysparm_limit=10&sysparm_offset=0", links.get("prev"));
        assertEquals(base + "sysparm_limit=10&sysparm_offset=20", links.get("next"));
        assertEquals(base + "sysparm_limit=10&sysparm_offset=20", links.get("last"));

        // a client that follows rel="next" from the first page gets every record once, then stops
        Set<String> seen = new HashSet<>();
        List<Integer> pageSizes = new ArrayList<>();
        String next = "/api/now/table/ecc_queue?sysparm_query=topic%3DPaged&sysparm_limit=10";
        while (next != null) {
            HttpResponse<String> page = send("GET", next, ADMIN, null);
            assertEquals(page.body(), 200, page.statusCode());
            JsonNode result = JSON.readTree(page.body()).path("result");
            pageSizes.add(result.size());
            for (JsonNode record : result) {
                assertTrue("twice: " + record, seen.add(record.path("sys_id").asText()));
                assertEquals("Paged", record.path("topic").asText());
            }
            next = links(page).get("next");
        }
        assertEquals(List.of(10, 10, 5), pageSizes);
        assertEquals(25, seen.size());

        HttpResponse<String> last = send("GET", "/api/now/table/ecc_queue?sysparm_query=topic%3DPaged&sysparm_limit=10&sysparm_offset=20",
                ADMIN, null);
        assertFalse("no next on the last page", links(last).containsKey("next"));
        assertTrue(links(last).containsKey("prev"));

        HttpResponse<String> suppressed = send("GET",
                "/api/now/table/ecc_queue?sysparm_limit=10&sysparm_suppress_pagination_header=true", ADMIN, null);
        assertEquals(200, suppressed.statusCode());
        assertTrue(suppressed.headers().firstValue("X-Total-Count").isEmpty());
        assertTrue(suppressed.headers().firstValue("Link").isEmpty());

        HttpResponse<String> agents = send("GET", "/api/now/v2/table/ecc_agent", ADMIN, null);
        assertEquals("0", agents.headers().firstValue("X-Total-Count").orElse(null));
        assertTrue(links(agents).containsKey("first"));
        HttpResponse<String> clusters = send("GET", "/api/now/table/ecc_agent_cluster", ADMIN, null);
        assertEquals("0", clusters.headers().firstValue("X-Total-Count").orElse(null));
        HttpResponse<String> credentialList = send("GET", "/api/now/table/discovery_credentials", ADMIN, null);
        assertEquals(credentialList.body(), "0", credentialList.headers().firstValue("X-Total-Count").orElse(null));
    }

    @Test
    public void aCreatedRecordsLocationIsAbsoluteAndAnswersIt() throws Exception {
        HttpResponse<String> r = send("POST", "/api/now/table/ecc_queue/", ADMIN,
                "{\"agent\":\"mid.server.pager\",\"topic\":\"Located\"}");
        assertEquals(r.body(), 201, r.statusCode());
        String sysId = JSON.readTree(r.body()).path("result").path("sys_id").asText();
        String location = r.headers().firstValue("Location").orElse("");
        assertEquals("http://127.0.0.1:" + port + "/api/now/table/ecc_queue/" + sysId, location);
        HttpResponse<String> again = send("GET", location, ADMIN, null);
        assertEquals(200, again.statusCode());
        assertEquals("Located", JSON.readTree(again.body()).path("result").path("topic").asText());

        HttpResponse<String> cluster = send("POST", "/api/now/v2/table/ecc_agent_cluster", ADMIN,
                "{\"name\":\"c1\",\"type\":\"failover\",\"members\":[]}");
        assertEquals(cluster.body(), 201, cluster.statusCode());
        assertTrue(cluster.headers().firstValue("Location").orElse("")
                .startsWith("http://127.0.0.1:" + port + "/api/now/v2/table/ecc_agent_cluster/"));
    }

    @Test
    public void displayValuesAreStringsAndAllAnswersBoth() throws Exception {
        insert(1, "Shown");
        String list = "/api/now/table/ecc_queue?sysparm_query=topic%3DShown&sysparm_fields=topic,priority,payload,response_to";
        JsonNode plain = JSON.readTree(send("GET", list, ADMIN, null).body()).path("result").get(0);
        assertTrue(plain.path("priority").isNumber());
        assertTrue(plain.path("payload").isObject());

        JsonNode shown = JSON.readTree(send("GET", list + "&sysparm_display_value=true", ADMIN, null).body())
                .path("result").get(0);
        assertEquals("2", shown.path("priority").textValue());
        assertEquals("{\"n\":0}", shown.path("payload").textValue());
        assertEquals("", shown.path("response_to").textValue());

        JsonNode both = JSON.readTree(send("GET", list + "&sysparm_display_value=all", ADMIN, null).body())
                .path("result").get(0);
        assertEquals("2", both.path("priority").path("display_value").textValue());
        assertEquals(2, both.path("priority").path("value").intValue());
        assertEquals("Shown", both.path("topic").path("value").textValue());
        assertEquals(0, both.path("payload").path("value").path("n").intValue());

        String sysId = plain.path("sys_id").asText(null);
        assertNull("sysparm_fields without sys_id", sysId);

        HttpResponse<String> bad = send("GET", "/api/now/table/ecc_queue?sysparm_display_value=yes", ADMIN, null);
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body(), bad.body().contains("sysparm_display_value"));
        HttpResponse<String> badLink = send("GET", "/api/now/table/ecc_agent?sysparm_exclude_reference_link=maybe", ADMIN, null);
        assertEquals(400, badLink.statusCode());
        assertTrue(badLink.body(), badLink.body().contains("sysparm_exclude_reference_link"));
        assertEquals(200, send("GET", "/api/now/table/ecc_agent?sysparm_exclude_reference_link=true", ADMIN, null).statusCode());
    }

    @Test
    public void aUserLooksUpItsOwnRecordAndOnlyThat() throws Exception {
        HttpResponse<String> created = send("POST", "/api/now/table/sys_user", ADMIN,
                "{\"user_name\":\"ops2\",\"password\":\"ops2-password-long\",\"roles\":\"admin\"}");
        assertEquals(created.body(), 201, created.statusCode());
        assertTrue(created.headers().firstValue("Location").orElse("")
                .startsWith("http://127.0.0.1:" + port + "/api/now/table/sys_user/"));
        HttpResponse<String> agent = send("POST", "/api/now/table/sys_user", ADMIN,
                "{\"user_name\":\"agent-x\",\"password\":\"agent-x-password\",\"roles\":\"mid_server\",\"agent\":\"x\"}");
        assertEquals(agent.body(), 201, agent.statusCode());

        // the built-in admin finds itself, as a client does at login
        JsonNode admins = JSON.readTree(send("GET", "/api/now/table/sys_user?sysparm_query=user_name%3Dadmin", ADMIN, null)
                .body()).path("result");
        assertEquals(1, admins.size());
        assertEquals("built-in", admins.get(0).path("source").asText());
        String adminId = admins.get(0).path("sys_id").asText();
        assertEquals(32, adminId.length());
        assertEquals(200, send("GET", "/api/now/table/sys_user/" + adminId, ADMIN, null).statusCode());
        assertEquals(409, send("DELETE", "/api/now/table/sys_user/" + adminId, ADMIN, null).statusCode());

        // an agent's identity reads its own record, and nobody else's
        String asAgent = "agent-x:agent-x-password";
        JsonNode own = JSON.readTree(send("GET", "/api/now/table/sys_user?sysparm_query=user_name%3Dagent-x", asAgent, null)
                .body()).path("result");
        assertEquals(1, own.size());
        assertEquals("x", own.get(0).path("agent").asText());
        assertFalse(own.get(0).has("password"));
        JsonNode all = JSON.readTree(send("GET", "/api/now/table/sys_user", asAgent, null).body()).path("result");
        assertEquals("only its own", 1, all.size());
        JsonNode others = JSON.readTree(send("GET", "/api/now/table/sys_user?sysparm_query=user_name%3Dops2", asAgent, null)
                .body()).path("result");
        assertEquals(0, others.size());
        assertEquals(404, send("GET", "/api/now/table/sys_user/" + adminId, asAgent, null).statusCode());
        String ownId = own.get(0).path("sys_id").asText();
        assertEquals(403, send("PATCH", "/api/now/table/sys_user/" + ownId, asAgent, "{\"roles\":\"admin\"}").statusCode());
        assertEquals(403, send("POST", "/api/now/table/sys_user", asAgent,
                "{\"user_name\":\"evil\",\"password\":\"evil-password-long\",\"roles\":\"admin\"}").statusCode());
        // as the npm client servicenow-rest-api looks itself up at login: a name-value filter
        JsonNode byName = JSON.readTree(send("GET", "/api/now/v2/table/sys_user?user_name=agent-x", asAgent, null).body())
                .path("result");
        assertEquals(1, byName.size());
        assertEquals(400, send("GET", "/api/now/table/sys_user?nickname=x", ADMIN, null).statusCode());
        HttpResponse<String> started = send("GET",
                "/api/now/table/sys_user?sysparm_query=user_nameSTARTSWITHops%5EORuser_name%3Dadmin%5EORDERBYDESCuser_name"
                        + "&sysparm_fields=user_name", ADMIN, null);
        assertEquals(started.body(), 200, started.statusCode());
        assertEquals("[{\"user_name\":\"ops2\"},{\"user_name\":\"admin\"}]",
                JSON.readTree(started.body()).path("result").toString());
        assertEquals("2", started.headers().firstValue("X-Total-Count").orElse(null));
        // the admin still reads every record
        assertTrue(JSON.readTree(send("GET", "/api/now/table/sys_user", ADMIN, null).body()).path("result").size() >= 3);
    }
}
