package io.midway.wire;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

public class CredentialJsonTest {

    private static CredentialRecord basic() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("user_name", "scott");
        return new CredentialRecord("c1", "lab-linux", "basic", 100, true, fields,
                Map.of("password", "v1.aaa.bbb.ccc"), null, null);
    }

    @Test
    public void credentialRecordUsesSnakeCaseAndRoundTrips() throws Exception {
        CredentialRecord r = basic();
        JsonNode json = Json.mapper().valueToTree(r);
        assertEquals("c1", json.get("sys_id").asText());
        assertEquals("lab-linux", json.get("name").asText());
        assertEquals("basic", json.get("type").asText());
        assertEquals(100, json.get("order").asInt());
        assertTrue(json.get("active").asBoolean());
        assertEquals("scott", json.get("fields").get("user_name").asText());
        assertEquals("v1.aaa.bbb.ccc", json.get("sealed").get("password").asText());
        assertTrue(json.has("resolver"));
        assertTrue(json.get("resolver").isNull());
        assertTrue(json.get("external_id").isNull());
        assertEquals(9, json.size());

        String text = Json.mapper().writeValueAsString(r);
        assertEquals(r, Json.mapper().readValue(text, CredentialRecord.class));
    }

    @Test
    public void externalCredentialRoundTrips() throws Exception {
        CredentialRecord r = new CredentialRecord("c2", "vault-db", "jdbc", 10, false, null, null, "vault",
                "secret/db/prod");
        String text = Json.mapper().writeValueAsString(r);
        assertTrue(text, text.contains("\"external_id\":\"secret/db/prod\""));
        assertTrue(text, text.contains("\"resolver\":\"vault\""));
        CredentialRecord back = Json.mapper().readValue(text, CredentialRecord.class);
        assertEquals(r, back);
        assertEquals(Map.of(), back.fields());
        assertEquals(Map.of(), back.sealed());
    }

    @Test
    public void nullOrMissingMapsBecomeEmpty() throws Exception {
        CredentialRecord r = Json.mapper().readValue(
                "{\"sys_id\":\"c3\",\"name\":\"n\",\"type\":\"basic\",\"fields\":null}", CredentialRecord.class);
        assertEquals(Map.of(), r.fields());
        assertEquals(Map.of(), r.sealed());
        assertEquals(0, r.order());
        assertNull(r.resolver());
        assertThrows(UnsupportedOperationException.class, () -> r.fields().put("x", "y"));
    }

    @Test
    public void credentialSyncRoundTrips() throws Exception {
        CredentialSync sync = new CredentialSync("42", List.of(basic()));
        String text = Json.mapper().writeValueAsString(sync);
        JsonNode json = Json.mapper().readTree(text);
        assertEquals("42", json.get("revision").asText());
        assertEquals("c1", json.get("result").get(0).get("sys_id").asText());
        assertEquals(sync, Json.mapper().readValue(text, CredentialSync.class));
        assertEquals(List.of(), Json.mapper().readValue("{\"revision\":\"1\"}", CredentialSync.class).result());
        assertEquals(List.of(), new CredentialSync("1", null).result());
    }

    @Test
    public void newOptionalFieldsRoundTrip() throws Exception {
        Registration reg = new Registration("m1", "1.0.0", "h", "127.0.0.1", List.of("tcp"), "MIIB");
        String regText = Json.mapper().writeValueAsString(reg);
        assertTrue(regText, regText.contains("\"public_key\":\"MIIB\""));
        assertEquals(reg, Json.mapper().readValue(regText, Registration.class));

        PollReply poll = new PollReply(List.of(), "7", "1.0.0", "Up", true, null, "9");
        String pollText = Json.mapper().writeValueAsString(poll);
        assertTrue(pollText, pollText.contains("\"credential_revision\":\"9\""));
        assertEquals(poll, Json.mapper().readValue(pollText, PollReply.class));

        AgentRecord agent = new AgentRecord("s1", "m1", "Up", true, "1.0.0", "h", "127.0.0.1", null, List.of(),
                List.of(), List.of(), "", false, null, null, null, "SHA256:ab");
        String agentText = Json.mapper().writeValueAsString(agent);
        assertTrue(agentText, agentText.contains("\"public_key_fingerprint\":\"SHA256:ab\""));
        assertEquals(agent, Json.mapper().readValue(agentText, AgentRecord.class));
    }

    @Test
    public void oldShapesStillDeserializeAndOldConstructorsLeaveTheNewFieldsNull() throws Exception {
        Registration reg = Json.mapper().readValue(
                "{\"name\":\"m1\",\"version\":\"1\",\"host_name\":\"h\",\"ip_address\":\"127.0.0.1\",\"capabilities\":[]}",
                Registration.class);
        assertEquals(new Registration("m1", "1", "h", "127.0.0.1", List.of()), reg);
        assertNull(reg.publicKey());

        PollReply poll = Json.mapper().readValue("{\"result\":[],\"sync_revision\":\"7\",\"instance_version\":\"1.0.0\","
                + "\"agent_status\":\"Up\",\"validated\":true,\"pinned_version\":\"2.0.0\"}", PollReply.class);
        assertEquals(new PollReply(List.of(), "7", "1.0.0", "Up", true, "2.0.0"), poll);
        assertNull(poll.credentialRevision());
        assertNull(new PollReply(List.of(), "7", "1.0.0", "Up", true).credentialRevision());

        AgentRecord agent = Json.mapper().readValue("{\"sys_id\":\"s1\",\"name\":\"m1\",\"status\":\"Up\","
                + "\"validated\":true,\"capabilities\":[],\"is_default\":false,\"pinned_version\":\"1.0.0\"}",
                AgentRecord.class);
        assertNull(agent.publicKeyFingerprint());
        assertEquals("1.0.0", agent.pinnedVersion());
        assertNull(new AgentRecord("s1", "m1", "Up", true, "1", "h", "ip", null, List.of(), List.of(), List.of(), "",
                false).publicKeyFingerprint());
        assertNull(new AgentRecord("s1", "m1", "Up", true, "1", "h", "ip", null, List.of(), List.of(), List.of(), "",
                false, "3", "applied").publicKeyFingerprint());
        assertNull(new AgentRecord("s1", "m1", "Up", true, "1", "h", "ip", null, List.of(), List.of(), List.of(), "",
                false, "3", "applied", "1.0.0").publicKeyFingerprint());
    }

    @Test
    public void manualAndAdvertisedCapabilitiesRoundTripAndOlderShapesLeaveThemOut() throws Exception {
        AgentRecord agent = new AgentRecord("s1", "m1", "Up", true, "1.0.0", "h", "127.0.0.1", null,
                List.of("http", "ssh"), List.of(), List.of(), "", false, null, null, null, null, List.of("ssh"),
                List.of("http"));
        String text = Json.mapper().writeValueAsString(agent);
        assertTrue(text, text.contains("\"manual_capabilities\":[\"ssh\"]"));
        assertTrue(text, text.contains("\"advertised_capabilities\":[\"http\"]"));
        assertEquals(agent, Json.mapper().readValue(text, AgentRecord.class));

        AgentRecord old = new AgentRecord("s1", "m1", "Up", true, "1", "h", "ip", null, List.of("http"), List.of(),
                List.of(), "", false, null, null, null, "SHA256:ab");
        assertNull(old.manualCapabilities());
        assertNull(old.advertisedCapabilities());
        String oldText = Json.mapper().writeValueAsString(old);
        assertFalse(oldText, oldText.contains("manual_capabilities"));
        assertFalse(oldText, oldText.contains("advertised_capabilities"));
        AgentRecord read = Json.mapper().readValue("{\"sys_id\":\"s1\",\"name\":\"m1\",\"capabilities\":[\"http\"]}",
                AgentRecord.class);
        assertNull(read.manualCapabilities());
        assertEquals(List.of("http"), read.capabilities());
    }

    @Test
    public void sealedSecretsTravelInACredentialRecord() throws Exception {
        var keys = SealedSecret.newAgentKeyPair();
        CredentialRecord r = new CredentialRecord("c1", "n", "basic", 1, true, Map.of("user_name", "scott"),
                Map.of("password", SealedSecret.seal(keys.getPublic(), "tiger")), null, null);
        String text = Json.mapper().writeValueAsString(new CredentialSync("1", List.of(r)));
        assertTrue(!text.contains("tiger"));
        CredentialSync back = Json.mapper().readValue(text, CredentialSync.class);
        assertEquals("tiger", SealedSecret.openString(keys.getPrivate(), back.result().get(0).sealed().get("password")));
    }
}
