package io.midway.wire;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.Test;

public class JsonTest {

    @Test
    public void eccRecordUsesServiceNowFieldNames() throws Exception {
        EccRecord r = new EccRecord("abc", "mid.server.m1", "TCPScan", "scan", "127.0.0.1",
                Json.mapper().readTree("{\"host\":\"127.0.0.1\"}"), "output", "ready", null, 2, null,
                "2026-11-21 10:00:00", null);
        String json = Json.mapper().writeValueAsString(r);
        assertTrue(json, json.contains("\"sys_id\":\"abc\""));
        assertTrue(json, json.contains("\"response_to\":null"));
        assertTrue(json, json.contains("\"sys_created_on\":\"2026-11-21 10:00:00\""));
        assertEquals(r, Json.mapper().readValue(json, EccRecord.class));
    }

    @Test
    public void unknownFieldsAreIgnored() throws Exception {
        PollReply p = Json.mapper().readValue(
                "{\"result\":[],\"sync_revision\":\"7\",\"instance_version\":\"1.0.0\",\"later\":1}", PollReply.class);
        assertEquals(List.of(), p.result());
        assertEquals("7", p.syncRevision());
    }

    @Test
    public void timeRoundTrips() {
        Instant t = Instant.parse("2026-11-21T10:00:05Z");
        assertEquals("2026-11-21 10:00:05", Json.time(t));
        assertEquals(t, Json.parseTime("2026-11-21 10:00:05"));
    }

    @Test
    public void errorShape() throws Exception {
        String json = Json.mapper().writeValueAsString(ErrorReply.of("Bad request", "no topic"));
        assertEquals("{\"error\":{\"message\":\"Bad request\",\"detail\":\"no topic\"},\"status\":\"failure\"}", json);
    }
}
