package io.midway.itests;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What an administrator does with the instance's Table API (DESIGN §5), over real HTTP with Basic
 * auth as user {@code admin}. Runs inside the test framework.
 */
public final class InstanceAdminClient {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String ECC_QUEUE = "/api/now/table/ecc_queue";
    private static final String ECC_AGENT = "/api/now/table/ecc_agent";
    private static final String FILES = "/api/mid/admin/files";
    private static final String EVENTS = "/api/mid/events";

    private final String baseUrl;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param baseUrl the instance URL, e.g. {@code http://127.0.0.1:8080}
     * @param adminPassword the password of user {@code admin}
     */
    public InstanceAdminClient(String baseUrl, String adminPassword) {
        this.baseUrl = baseUrl;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString(("admin:" + adminPassword).getBytes(StandardCharsets.UTF_8));
    }

    /** @return a new, empty JSON object, for payloads */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** @return the agents the instance knows ({@code GET /api/now/table/ecc_agent}) */
    public List<JsonNode> agents() throws IOException, InterruptedException {
        return list(get(ECC_AGENT));
    }

    /**
     * @param name an agent name
     * @return the agent record with that name, if the instance knows it
     */
    public Optional<JsonNode> agent(String name) throws IOException, InterruptedException {
        return agents().stream().filter(a -> name.equals(a.path("name").asText())).findFirst();
    }

    /**
     * Inserts an output record for one agent ({@code POST /api/now/table/ecc_queue}).
     *
     * @param agentName the agent to address
     * @param topic the ECC topic
     * @param payload the payload object
     * @return the inserted record as the instance returned it
     */
    public JsonNode insertOutput(String agentName, String topic, JsonNode payload)
            throws IOException, InterruptedException {
        ObjectNode record = object();
        record.put("agent", "mid.server." + agentName);
        record.put("topic", topic);
        record.put("name", "itest " + topic);
        record.put("source", "127.0.0.1");
        record.set("payload", payload);
        HttpResponse<String> response = send(request(ECC_QUEUE)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(record))));
        assertEquals("POST " + ECC_QUEUE + " answered " + response.body(), 201, response.statusCode());
        return MAPPER.readTree(response.body()).path("result");
    }

    /**
     * @param outputSysId the {@code sys_id} of an output record
     * @return the input records that answer it
     */
    public List<JsonNode> inputsFor(String outputSysId) throws IOException, InterruptedException {
        return list(get(ECC_QUEUE + "?sysparm_query=" + encode("queue=input^response_to=" + outputSysId)));
    }

    /**
     * Waits until the agent's answer to an output record arrives.
     *
     * @param outputSysId the {@code sys_id} of an output record
     * @return the one input record that answers it
     */
    public JsonNode awaitInput(String outputSysId) {
        List<JsonNode> inputs = Await.until("the input answering output " + outputSysId,
                () -> inputsFor(outputSysId), list -> !list.isEmpty());
        assertEquals("exactly one input answers output " + outputSysId + ": " + inputs, 1, inputs.size());
        return inputs.get(0);
    }

    /**
     * Uploads a jar to the file-sync repository ({@code POST /api/mid/admin/files?kind=…}).
     *
     * @param kind {@code probe}, {@code protocol}, {@code credential} or {@code library}
     * @param jar the bytes
     * @return the answer, whatever its status
     */
    public HttpResponse<String> uploadFile(String kind, byte[] jar) throws IOException, InterruptedException {
        return send(request(FILES + "?kind=" + encode(kind))
                .header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofByteArray(jar)));
    }

    /**
     * Uploads a jar that the instance must take as new bytes ({@code 201}).
     *
     * @param kind the file's kind
     * @param jar the bytes
     * @return the reply, {@code {"result": <SyncFile>, "revision": "N"}}
     */
    public JsonNode pushFile(String kind, byte[] jar) throws IOException, InterruptedException {
        HttpResponse<String> response = uploadFile(kind, jar);
        assertEquals("POST " + FILES + " answered " + response.body(), 201, response.statusCode());
        return MAPPER.readTree(response.body());
    }

    /**
     * @return the file-sync repository, {@code {"result":[SyncFile + downloads], "revision":"N"}}
     */
    public JsonNode files() throws IOException, InterruptedException {
        return get(FILES);
    }

    /**
     * @param symbolicName a Bundle-SymbolicName
     * @return the answer of {@code DELETE /api/mid/admin/files/{symbolic_name}}, whatever its status
     */
    public HttpResponse<String> deleteFile(String symbolicName) throws IOException, InterruptedException {
        return send(request(FILES + "/" + encode(symbolicName)).DELETE());
    }

    /**
     * @param since an event sequence number; 0 for all
     * @return the events after it ({@code GET /api/mid/events?since=…})
     */
    public List<JsonNode> events(long since) throws IOException, InterruptedException {
        return list(get(EVENTS + "?since=" + since));
    }

    /** @return the sequence number of the newest event, 0 when there is none */
    public long lastEventSeq() throws IOException, InterruptedException {
        long last = 0;
        for (JsonNode event : events(0)) {
            last = Math.max(last, event.path("seq").asLong());
        }
        return last;
    }

    /**
     * @param pathAndQuery a path on the instance, with its query string
     * @return the parsed JSON body of a {@code 200} answer
     */
    public JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response = send(request(pathAndQuery).GET());
        assertEquals("GET " + pathAndQuery + " answered " + response.body(), 200, response.statusCode());
        return MAPPER.readTree(response.body());
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", authorization)
                .header("Accept", "application/json");
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static List<JsonNode> list(JsonNode reply) {
        List<JsonNode> records = new ArrayList<>();
        reply.path("result").forEach(records::add);
        return records;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
