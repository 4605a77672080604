package io.midway.instance.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.wire.Json;

/**
 * A few thousand malformed requests, generated from a fixed seed, over every endpoint of the
 * instance (agent-facing, admin, the console-like page, unknown paths), with and without valid
 * credentials, sent over raw sockets so broken framing is included. None may be answered with a
 * 5xx (or not at all), and afterwards the instance still registers, inserts, polls and stores
 * results as usual.
 */
public class FuzzHttpTest extends WholeServerFixture {

    private static final long SEED = 14_005L;
    private static final int REQUESTS = 4000;
    /** The run stops early past this, so a slow machine keeps the test bounded. */
    private static final long BUDGET_MS = 75_000;

    /** One endpoint: method, path and query, who may call it, a valid body. */
    private record Endpoint(String method, String target, String credentials, String body) {
    }

    private static final String SHA = "0".repeat(64);
    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/api/mid/instance_info", null, null),
            new Endpoint("POST", "/api/mid/agents/register", AGENT, "{\"name\":\"fz1\",\"version\":\"1.0.0\","
                    + "\"host_name\":\"h\",\"ip_address\":\"127.0.0.1\",\"capabilities\":[\"tcp\"]}"),
            new Endpoint("GET", "/api/mid/ecc/poll?agent=fz1&max=5&wait_ms=0", AGENT, null),
            new Endpoint("POST", "/api/mid/agents/register?enroll=true", AGENT, "{\"name\":\"fz2\",\"version\":\"1.0.0\"}"),
            new Endpoint("GET", "/api/now/table/sys_user?sysparm_query=agent=fz2", ADMIN, null),
            new Endpoint("POST", "/api/now/table/sys_user", ADMIN, "{\"user_name\":\"fz-user\",\"password\":\"a-long-Pa55word\",\"agent\":\"fz3\"}"),
            new Endpoint("DELETE", "/api/mid/ecc/poll?agent=fz1", AGENT, null),
            new Endpoint("POST", "/api/mid/ecc/input", AGENT, "{\"records\":[{\"response_to\":\"abc\",\"topic\":\"T\","
                    + "\"name\":\"n\",\"source\":\"s\",\"payload\":{\"a\":[1,2]},\"state\":\"processed\",\"error_string\":null}]}"),
            new Endpoint("POST", "/api/mid/agents/status", AGENT, "{\"name\":\"fz1\",\"status\":\"Paused\",\"detail\":\"d\"}"),
            new Endpoint("GET", "/api/mid/cores", AGENT, null),
            new Endpoint("GET", "/api/mid/cores/" + SHA, AGENT, null),
            new Endpoint("GET", "/api/mid/file_sync/snapshot", AGENT, null),
            new Endpoint("GET", "/api/mid/file_sync/files/" + SHA, AGENT, null),
            new Endpoint("POST", "/api/mid/file_sync/report", AGENT, "{\"name\":\"fz1\",\"revision\":\"1\",\"state\":"
                    + "\"applied\",\"files\":[{\"symbolic_name\":\"a\",\"version\":\"1\",\"sha256\":\"" + SHA
                    + "\",\"action\":\"install\",\"outcome\":\"ok\",\"message\":\"m\"}]}"),
            new Endpoint("GET", "/api/mid/credentials?agent=fz1", AGENT, null),
            new Endpoint("POST", "/api/mid/credentials/affinity", AGENT, "{\"agent\":\"fz1\",\"credential\":\"c\","
                    + "\"type\":\"ssh\",\"target\":\"10.0.0.1\"}"),
            new Endpoint("GET", "/api/now/table/ecc_queue?sysparm_query=agent=mid.server.fz1%5EORDERBYDESCsys_created_on"
                    + "&sysparm_limit=5&sysparm_fields=sys_id,topic", ADMIN, null),
            new Endpoint("GET", "/api/now/table/ecc_queue/abc", ADMIN, null),
            new Endpoint("POST", "/api/now/table/ecc_queue", ADMIN, "{\"agent\":\"mid.server.fz1\",\"topic\":\"Echo\","
                    + "\"name\":\"n\",\"source\":\"10.0.0.1\",\"payload\":{\"x\":1},\"priority\":2}"),
            new Endpoint("POST", "/api/now/v2/table/ecc_queue", ADMIN, "[{\"agent\":\"mid.server.fz1\",\"topic\":\"Echo\"},"
                    + "{\"application\":\"ALL\",\"topic\":\"Echo\",\"source\":\"10.0.0.1\",\"capability\":\"tcp\"}]"),
            new Endpoint("GET", "/api/now/table/ecc_agent?sysparm_query=nameINfz1,fz2", ADMIN, null),
            new Endpoint("PATCH", "/api/now/table/ecc_agent/abc", ADMIN, "{\"status\":\"Up\",\"validated\":true,"
                    + "\"applications\":[\"ALL\"],\"ip_ranges\":[\"10.0.0.0/8\"],\"is_default\":false,"
                    + "\"manual_capabilities\":[\"tcp\"],\"pinned_version\":\"1.0.0\",\"cluster\":\"\"}"),
            new Endpoint("GET", "/api/now/table/ecc_agent_cluster", ADMIN, null),
            new Endpoint("POST", "/api/now/table/ecc_agent_cluster", ADMIN, "{\"name\":\"c1\",\"type\":\"failover\","
                    + "\"members\":[\"fz1\"]}"),
            new Endpoint("PATCH", "/api/now/table/ecc_agent_cluster/abc", ADMIN, "{\"members\":[\"fz1\",\"fz2\"]}"),
            new Endpoint("DELETE", "/api/now/table/ecc_agent_cluster/abc", ADMIN, null),
            new Endpoint("GET", "/api/now/table/discovery_credentials?sysparm_limit=3", ADMIN, null),
            new Endpoint("POST", "/api/now/table/discovery_credentials", ADMIN, "{\"name\":\"c\",\"type\":\"ssh\","
                    + "\"user_name\":\"u\",\"password\":\"p\",\"order\":100,\"active\":true}"),
            new Endpoint("GET", "/api/now/table/dscy_credentials_affinity", ADMIN, null),
            new Endpoint("GET", "/api/now/stats/ecc_queue?sysparm_count=true&sysparm_query=state=ready", ADMIN, null),
            new Endpoint("GET", "/api/mid/events?since=0", ADMIN, null),
            new Endpoint("GET", "/api/mid/admin/files", ADMIN, null),
            new Endpoint("POST", "/api/mid/admin/files?kind=probe", ADMIN, "PK\u0003\u0004not really a jar"),
            new Endpoint("DELETE", "/api/mid/admin/files/io.midway.probe.none", ADMIN, null),
            new Endpoint("GET", "/api/mid/admin/upgrade", ADMIN, null),
            new Endpoint("POST", "/api/mid/admin/upgrade", ADMIN, "PK\u0003\u0004not a core either"),
            new Endpoint("POST", "/api/mid/admin/select", ADMIN, "{\"application\":\"ALL\",\"ip\":\"10.0.0.1\","
                    + "\"capability\":\"tcp\",\"algorithm\":\"new\"}"),
            new Endpoint("GET", "/system/console/agents", ADMIN, null),
            new Endpoint("POST", "/system/console/agents", ADMIN, "action=pause&sys_id=abc&token=t"),
            new Endpoint("GET", "/system/console/agents.json", ADMIN, null),
            new Endpoint("GET", "/api/no/such/thing", ADMIN, null));

    private static final String[] METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE",
        "CONNECT", "FOO", "get"};
    private static final String[] BAD_QUERY = {"%zz", "%", "%C3%28", "a=%", "sysparm_limit=-1",
        "sysparm_limit=99999999999999999999", "sysparm_limit=abc", "sysparm_offset=-5", "max=0", "max=1e9", "max=abc",
        "wait_ms=abc", "wait_ms=-1", "since=abc", "since=-1", "sysparm_query=ORDERBY", "sysparm_query=%5E%5E%5E",
        "sysparm_query=bogus=1", "sysparm_query=name", "sysparm_fields=,,,", "sysparm_fields=nope", "agent=",
        "agent=..%2F..", "agent=" + "a".repeat(300), "kind=bogus", "kind=", "sysparm_count=false", "&&&", "=",
        "x=%E2%82", "sysparm_query=nameNOT%20IN", "sysparm_query=nameIN"};
    private static final String[] BAD_PATH = {"/x", "//", "/%2F", "/..", "/%00", "/" + "z".repeat(600), "/abc/def/ghi",
        "/%E2%82%AC", "/;x=1", "/.json", "/%zz"};

    private Random random;

    @Test
    public void malformedRequestsNeverGetA5xxAndTheInstanceStillServes() throws Exception {
        random = new Random(SEED);
        Map<Integer, Integer> counts = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long start = System.nanoTime();
        int sent = 0;
        for (; sent < REQUESTS && (System.nanoTime() - start) / 1_000_000 < BUDGET_MS; sent++) {
            Fuzzed request = next();
            RawHttp.Answer answer = RawHttp.exchange(port, request.bytes, 15_000);
            counts.merge(answer.status(), 1, Integer::sum);
            if ((answer.status() >= 500 || answer.status() == 0) && failures.size() < 10) {
                failures.add("#" + sent + " " + request.summary + " -> "
                        + (answer.status() == 0 ? "no answer" : firstLines(answer.text())));
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.println("FuzzHttpTest: " + sent + " requests in " + ms + " ms, seed " + SEED
                + "; answers per status (0 = none): " + counts);
        assertTrue("too few requests within the budget: " + sent, sent >= 1000);
        assertTrue("answers of 5xx or none: " + failures + "; counts " + counts, failures.isEmpty());

        // the instance still serves: register, insert, poll, post the result
        String registered = post(AGENT, "/api/mid/agents/register", "{\"name\":\"after\",\"version\":\"1.0.0\"}");
        assertTrue(registered, registered.contains("\"after\""));
        JsonNode inserted = Json.mapper().readTree(post(ADMIN, "/api/now/table/ecc_queue",
                "{\"agent\":\"mid.server.after\",\"topic\":\"Echo\",\"payload\":{\"n\":1}}"));
        String sysId = inserted.path("result").path("sys_id").asText();
        RawHttp.Answer poll = RawHttp.exchange(port, RawHttp.request("GET /api/mid/ecc/poll?agent=after&wait_ms=0 HTTP/1.1",
                List.of("Authorization: " + RawHttp.basic(AGENT)), null), 10_000);
        assertEquals(poll.text(), 200, poll.status());
        assertEquals(sysId, Json.mapper().readTree(poll.body()).path("result").path(0).path("sys_id").asText());
        String input = post(AGENT, "/api/mid/ecc/input", "{\"records\":[{\"response_to\":\"" + sysId
                + "\",\"payload\":{\"ok\":true}}]}");
        assertEquals("inserted", Json.mapper().readTree(input).path("result").path(0).path("status").asText());
        assertEquals("processed", record(sysId).state());
    }

    private String post(String credentials, String path, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        RawHttp.Answer a = RawHttp.exchange(port, RawHttp.request("POST " + path + " HTTP/1.1", List.of(
                "Authorization: " + RawHttp.basic(credentials), "Content-Type: application/json",
                "Content-Length: " + body.length), body), 10_000);
        assertTrue(a.text(), a.status() == 200 || a.status() == 201);
        return a.body();
    }

    private static String firstLines(String text) {
        String head = text.length() > 400 ? text.substring(0, 400) : text;
        return head.replace("\r\n", " | ");
    }

    private record Fuzzed(byte[] bytes, String summary) {
    }

    private Fuzzed next() {
        Endpoint e = ENDPOINTS.get(random.nextInt(ENDPOINTS.size()));
        String method = random.nextInt(5) == 0 ? METHODS[random.nextInt(METHODS.length)] : e.method();
        String target = e.target();
        if (random.nextInt(4) == 0) {
            int q = target.indexOf('?');
            String path = q < 0 ? target : target.substring(0, q);
            target = path + BAD_PATH[random.nextInt(BAD_PATH.length)] + (q < 0 ? "" : target.substring(q));
        }
        if (random.nextInt(2) == 0) {
            target = target + (target.contains("?") ? "&" : "?") + BAD_QUERY[random.nextInt(BAD_QUERY.length)];
        }
        List<String> headers = new ArrayList<>();
        String auth = switch (random.nextInt(12)) {
            case 0 -> null;
            case 1 -> RawHttp.basic("admin:wrong");
            case 2 -> "Basic !!!not-base64";
            case 3 -> RawHttp.basic("no-colon");
            case 4 -> "Bearer abc";
            case 5 -> RawHttp.basic(AGENT);
            case 6 -> RawHttp.basic(ADMIN);
            default -> e.credentials() == null ? null : RawHttp.basic(e.credentials());
        };
        if (auth != null) {
            headers.add("Authorization: " + auth);
        }
        byte[] body = body(e);
        String type = switch (random.nextInt(6)) {
            case 0 -> "application/x-www-form-urlencoded";
            case 1 -> "text/plain";
            case 2 -> null;
            case 3 -> "multipart/form-data; boundary=zz";
            default -> e.target().startsWith("/system") ? "application/x-www-form-urlencoded" : "application/json";
        };
        if (type != null && body != null) {
            headers.add("Content-Type: " + type);
        }
        String framing = "";
        if (body != null) {
            switch (random.nextInt(8)) {
                case 0 -> {
                    // shorter than its Content-Length (the socket is half-closed after it)
                    headers.add("Content-Length: " + (body.length + 1 + random.nextInt(100)));
                    framing = " short";
                }
                case 1 -> {
                    headers.add("Transfer-Encoding: chunked");
                    body = chunked(body, random.nextInt(3) == 0);
                    framing = " chunked";
                }
                case 2 -> {
                    headers.add("Transfer-Encoding: chunked");
                    body = ("zz\r\n" + new String(body, StandardCharsets.ISO_8859_1) + "\r\n0\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1);
                    framing = " bad-chunk";
                }
                default -> headers.add("Content-Length: " + body.length);
            }
        }
        String line = method + " " + target + " HTTP/1.1";
        return new Fuzzed(RawHttp.request(line, headers, body),
                line.length() > 160 ? line.substring(0, 160) + "..." : line + (body == null ? "" : " [" + body.length
                        + " bytes" + framing + "] " + abbreviate(new String(body, StandardCharsets.ISO_8859_1))));
    }

    private static String abbreviate(String text) {
        return text.length() > 120 ? text.substring(0, 120) + "..." : text;
    }

    private byte[] body(Endpoint e) {
        String valid = e.body() == null ? "{}" : e.body();
        return switch (random.nextInt(11)) {
            case 0 -> null;
            case 1 -> valid.getBytes(StandardCharsets.UTF_8);
            case 2 -> valid.substring(0, random.nextInt(valid.length())).getBytes(StandardCharsets.UTF_8);
            case 3 -> randomBytes(random.nextInt(300));
            case 4 -> replaceStrings(valid, "x".repeat(random.nextBoolean() ? 301 : 70_000));
            case 5 -> replaceNumbers(valid, pick("99999999999999999999999", "-1", "1e400", "0.5", "NaN", "\"7\"",
                    "null", "[]", "{}", "true"));
            case 6 -> replaceStrings(valid, pick("", " ", "\\u0000", "%zz", "mid.server.*", "../../etc", "\\ud800"))
                    ;
            case 7 -> pick("[]", "null", "1", "\"s\"", "[{}]", "{\"records\":null}", "{\"records\":[null]}",
                    "{\"records\":[[]]}", "{\"records\":\"x\"}", "{\"a\":" + "[".repeat(3000) + "]".repeat(3000) + "}",
                    "{\"name\":{\"$gt\":\"\"}}", "[" + "{\"agent\":\"mid.server.fz1\",\"topic\":\"E\"},".repeat(50)
                            + "{\"topic\":1}]").getBytes(StandardCharsets.UTF_8);
            case 8 -> replaceTypes(valid);
            case 9 -> ("action=%zz&sys_id=" + "%".repeat(random.nextInt(3)) + "&x=%C3%28").getBytes(StandardCharsets.UTF_8);
            default -> valid.replace("\"", random.nextBoolean() ? "'" : "").getBytes(StandardCharsets.UTF_8);
        };
    }

    private String pick(String... options) {
        return options[random.nextInt(options.length)];
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Replaces the value of one string field by the given text. */
    private byte[] replaceStrings(String json, String value) {
        List<int[]> strings = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(":\"([^\"]*)\"").matcher(json);
        while (m.find()) {
            strings.add(new int[] {m.start(1), m.end(1)});
        }
        if (strings.isEmpty()) {
            return (json + value).getBytes(StandardCharsets.UTF_8);
        }
        int[] s = strings.get(random.nextInt(strings.size()));
        return (json.substring(0, s[0]) + value + json.substring(s[1])).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] replaceNumbers(String json, String value) {
        String replaced = json.replaceAll(":(\\d+)", ":" + java.util.regex.Matcher.quoteReplacement(value));
        if (replaced.equals(json)) {
            replaced = json.replaceFirst(":\"[^\"]*\"", ":" + java.util.regex.Matcher.quoteReplacement(value));
        }
        return replaced.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] replaceTypes(String json) {
        String value = pick("[]", "{}", "null", "1", "true", "[1,{}]", "\"a,b\"");
        return json.replaceFirst(":(\"[^\"]*\"|\\[[^\\]]*\\]|\\{[^}]*\\}|\\d+|true|false)",
                ":" + java.util.regex.Matcher.quoteReplacement(value)).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] chunked(byte[] body, boolean truncated) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < body.length) {
            int n = Math.min(body.length - at, 1 + random.nextInt(64));
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, at, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            at += n;
        }
        if (!truncated) {
            out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }
}
