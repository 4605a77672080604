package io.midway.probe.snmp.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import io.midway.api.credential.CredentialType;
import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;
import io.midway.protocol.snmp.internal.Snmp4jProtocol;
import io.midway.protocol.snmp.internal.SnmpProtocolConfiguration;
import io.midway.testing.probe.TestCredentials;
import io.midway.testing.servers.ExternalServer;
import io.midway.testing.servers.SnmpDaemon;

/** The SNMP probe against a real Net-SNMP agent, with a canary check of every message, result and log line. */
public class SnmpProbeTest {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(120);

    private static final String SYSTEM = "1.3.6.1.2.1.1";
    private static final String WRONG_COMMUNITY = "canary-community-5e1f";
    private static final String WRONG_AUTH_KEY = "canary-auth-key-77a0";

    private static SnmpDaemon snmpd;
    private static Snmp4jProtocol protocol;
    private static PrintStream originalErr;
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    /** Every result payload and error message, searched for secrets after each test. */
    private final List<String> seen = new ArrayList<>();
    private TestCredentials credentials;

    @BeforeClass
    public static void start() {
        // slf4j-simple writes to System.err as it is at each call: keep a copy of every log line
        originalErr = System.err;
        System.setErr(new PrintStream(new Tee(originalErr, LOG), true, StandardCharsets.UTF_8));
        snmpd = SnmpDaemon.start();
        protocol = new Snmp4jProtocol(new SnmpProtocolConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SnmpProtocolConfiguration.class;
            }

            @Override
            public int varbinds_per_request() {
                return 10;
            }

            @Override
            public int walk_max_duration_ms() {
                return 60_000;
            }
        });
    }

    @AfterClass
    public static void stop() {
        try {
            if (protocol != null) {
                protocol.close();
            }
            if (snmpd != null) {
                snmpd.close();
            }
        } finally {
            System.setErr(originalErr);
        }
        String log = LOG.toString(StandardCharsets.UTF_8);
        assertTrue("debug logging was on: " + log, log.contains("DEBUG"));
        for (String secret : secrets()) {
            assertFalse("a secret in the log", log.contains(secret));
        }
    }

    private static List<String> secrets() {
        return List.of(snmpd.community(), snmpd.authKey(), snmpd.privacyKey(), WRONG_COMMUNITY, WRONG_AUTH_KEY);
    }

    @After
    public void noSecretSeen() {
        for (String text : seen) {
            for (String secret : secrets()) {
                assertFalse("a secret in: " + text, text.contains(secret));
            }
        }
    }

    private TestCredentials store() {
        credentials = TestCredentials.builder()
                .add(CredentialType.SNMP_COMMUNITY, "wrong-v2c", "community", WRONG_COMMUNITY)
                .add(CredentialType.SNMP_COMMUNITY, "lab-v2c", "community", snmpd.community())
                .add(CredentialType.SNMPV3, "lab-v3", "user_name", snmpd.v3User(), "auth_protocol", "SHA", "privacy_protocol", "AES",
                        "auth_key", snmpd.authKey(), "privacy_key", snmpd.privacyKey())
                .add(CredentialType.SNMPV3, "lab-v3-wrong", "user_name", snmpd.v3User(), "auth_protocol", "SHA", "privacy_protocol", "AES",
                        "auth_key", WRONG_AUTH_KEY, "privacy_key", snmpd.privacyKey())
                .basic("lab-basic", "root", "x-password")
                .build();
        return credentials;
    }

    private SnmpProbe probe() {
        return new SnmpProbe(protocol, store());
    }

    private static Map<String, Object> payload(Object... pairs) {
        Map<String, Object> payload = new HashMap<>();
        payload.put("target", snmpd.address());
        for (int i = 0; i < pairs.length; i += 2) {
            payload.put((String) pairs[i], pairs[i + 1]);
        }
        return payload;
    }

    private static ProbeRequest request(Map<String, Object> payload) {
        return new ProbeRequest("0123456789abcdef0123456789abcdef", SnmpProbe.TOPIC, "", "", payload);
    }

    private Map<String, Object> run(SnmpProbe probe, Map<String, Object> payload) throws Exception {
        Map<String, Object> result = probe.run(request(payload)).payload();
        seen.add(String.valueOf(result));
        return result;
    }

    private String error(SnmpProbe probe, Map<String, Object> payload) {
        ProbeException e = assertThrows(ProbeException.class, () -> probe.run(request(payload)));
        seen.add(e.getMessage());
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            seen.add(String.valueOf(cause.getMessage()));
        }
        return e.getMessage();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> varbinds(Map<String, Object> result) {
        return (List<Map<String, Object>>) result.get("varbinds");
    }

    private static void assertContains(String text, String... parts) {
        for (String part : parts) {
            assertTrue("expected <" + part + "> in: " + text, text != null && text.contains(part));
        }
    }

    // ---------------------------------------------------------------- v2c

    @Test
    public void v2cGetOfSysName() throws Exception {
        Map<String, Object> result = run(probe(), payload("credential", "lab-v2c", "oids", List.of(SnmpDaemon.SYS_NAME_OID, "1.3.6.1.2.1.1.3.0")));
        List<Map<String, Object>> varbinds = varbinds(result);
        assertEquals(Map.of("oid", SnmpDaemon.SYS_NAME_OID, "type", "OCTET STRING", "value", snmpd.expectedSysName()), varbinds.get(0));
        assertEquals("TimeTicks", varbinds.get(1).get("type"));
        assertTrue(varbinds.get(1).get("value") instanceof Long);
        assertEquals(false, result.get("truncated"));
        assertEquals(List.of("lab-v2c@127.0.0.1"), credentials.workedCalls());
    }

    @Test
    public void v2cWalkOfTheSystemGroup() throws Exception {
        SnmpProbe probe = probe();
        // named by its sys_id rather than its name
        String id = credentials.find("lab-v2c").orElseThrow().id();
        Map<String, Object> result = run(probe, payload("credential", id, "operation", "walk", "oids", List.of(SYSTEM),
                "version", "v2c", "target", "127.0.0.1", "port", snmpd.port()));
        List<Map<String, Object>> varbinds = varbinds(result);
        assertTrue(varbinds.size() > 10);
        for (Map<String, Object> varbind : varbinds) {
            assertTrue(varbind.toString(), ((String) varbind.get("oid")).startsWith(SYSTEM + "."));
        }
        Map<String, Object> byOid = new HashMap<>();
        varbinds.forEach(v -> byOid.put((String) v.get("oid"), v.get("value")));
        assertEquals(SnmpDaemon.SYS_NAME, byOid.get("1.3.6.1.2.1.1.5.0"));
        assertEquals(SnmpDaemon.SYS_LOCATION, byOid.get("1.3.6.1.2.1.1.6.0"));
        assertEquals(SnmpDaemon.SYS_CONTACT, byOid.get("1.3.6.1.2.1.1.4.0"));
        assertEquals(false, result.get("truncated"));
    }

    @Test
    public void walkTruncatesAtMaxVarbinds() throws Exception {
        Map<String, Object> result = run(probe(), payload("credential", "lab-v2c", "operation", "walk", "oids", List.of(SYSTEM),
                "max_varbinds", 3));
        assertEquals(3, varbinds(result).size());
        assertEquals("1.3.6.1.2.1.1.1.0", varbinds(result).get(0).get("oid"));
        assertEquals(true, result.get("truncated"));

        Map<String, Object> two = run(probe(), payload("credential", "lab-v2c", "operation", "walk",
                "oids", List.of("1.3.6.1.2.1.1.5", "1.3.6.1.2.1.1.6", "1.3.6.1.2.1.1.4"), "max_varbinds", 2));
        assertEquals(List.of("1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.6.0"), varbinds(two).stream().map(v -> v.get("oid")).toList());
        assertEquals(true, two.get("truncated"));
    }

    @Test
    public void missingInstancesAreTypesWithNullValues() throws Exception {
        Map<String, Object> result = run(probe(), payload("credential", "lab-v2c", "oids", List.of("1.3.6.1.2.1.1.99.0")));
        Map<String, Object> expected = new HashMap<>();
        expected.put("oid", "1.3.6.1.2.1.1.99.0");
        expected.put("type", "noSuchObject");
        expected.put("value", null);
        assertEquals(expected, varbinds(result).get(0));
    }

    // ---------------------------------------------------------------- v3

    @Test
    public void v3AuthPrivGet() throws Exception {
        Map<String, Object> result = run(probe(), payload("credential", "lab-v3", "oids", List.of(SnmpDaemon.SYS_NAME_OID)));
        assertEquals(SnmpDaemon.SYS_NAME, varbinds(result).get(0).get("value"));
        assertEquals(List.of("lab-v3@127.0.0.1"), credentials.workedCalls());
    }

    @Test
    public void v3WrongAuthKeyIsAClearError() {
        String message = error(probe(), payload("credential", "lab-v3-wrong", "oids", List.of(SnmpDaemon.SYS_NAME_OID)));
        assertContains(message, "the SNMP agent at " + snmpd.address(), "refused the authentication of user 'midway-v3'",
                "wrong authentication key or protocol", "credential 'lab-v3-wrong'");
        assertEquals(List.of(), credentials.workedCalls());
    }

    // ---------------------------------------------------------------- no answer

    @Test
    public void wrongCommunityTimesOutWithAHint() {
        String message = error(probe(), payload("credential", "wrong-v2c", "oids", List.of(SnmpDaemon.SYS_NAME_OID), "timeout_ms", 500,
                "retries", 0));
        assertEquals("no answer from " + snmpd.address() + " within 500 ms (SNMP v2c, community from credential 'wrong-v2c'); "
                + "SNMP gives no answer to a wrong community", message);
    }

    @Test
    public void deadPortTimesOut() {
        int port = ExternalServer.freeUdpPort();
        String message = error(probe(), payload("credential", "lab-v2c", "target", "127.0.0.1:" + port, "oids",
                List.of(SnmpDaemon.SYS_NAME_OID), "timeout_ms", 200, "retries", 1));
        assertEquals("no answer from 127.0.0.1:" + port + " within 200 ms (SNMP v2c, community from credential 'lab-v2c', 1 retry); "
                + "SNMP gives no answer to a wrong community", message);
    }

    // ---------------------------------------------------------------- candidates

    @Test
    public void withoutACredentialTheCandidatesAreTriedInOrder() throws Exception {
        Map<String, Object> result = run(probe(), payload("oids", List.of(SnmpDaemon.SYS_NAME_OID), "timeout_ms", 300, "retries", 0,
                "version", "v2c"));
        assertEquals(SnmpDaemon.SYS_NAME, varbinds(result).get(0).get("value"));
        assertEquals("the wrong community timed out, the next one worked", List.of("lab-v2c@127.0.0.1"), credentials.workedCalls());
    }

    @Test
    public void withoutVersionBothTypesAreTried() throws Exception {
        TestCredentials v3Only = TestCredentials.builder()
                .add(CredentialType.SNMPV3, "lab-v3-wrong", "user_name", snmpd.v3User(), "auth_protocol", "SHA", "privacy_protocol", "AES",
                        "auth_key", WRONG_AUTH_KEY, "privacy_key", snmpd.privacyKey())
                .add(CredentialType.SNMPV3, "lab-v3", "user_name", snmpd.v3User(), "auth_protocol", "sha-1", "privacy_protocol", "aes-128",
                        "auth_key", snmpd.authKey(), "privacy_key", snmpd.privacyKey())
                .build();
        Map<String, Object> result = run(new SnmpProbe(protocol, v3Only), payload("oids", List.of(SnmpDaemon.SYS_NAME_OID)));
        assertEquals(SnmpDaemon.SYS_NAME, varbinds(result).get(0).get("value"));
        assertEquals(List.of("lab-v3@127.0.0.1"), v3Only.workedCalls());
    }

    @Test
    public void severalWrongCandidatesSaySoInTheTimeoutMessage() {
        TestCredentials wrong = TestCredentials.builder()
                .add(CredentialType.SNMP_COMMUNITY, "wrong-a", "community", WRONG_COMMUNITY)
                .add(CredentialType.SNMP_COMMUNITY, "wrong-b", "community", WRONG_COMMUNITY + "2")
                .build();
        String message = error(new SnmpProbe(protocol, wrong), payload("oids", List.of(SnmpDaemon.SYS_NAME_OID), "timeout_ms", 200,
                "retries", 0));
        assertEquals("no answer from " + snmpd.address() + " within 200 ms to any of the 2 credentials tried: 'wrong-a' (snmp_community), "
                + "'wrong-b' (snmp_community); SNMP gives no answer to a wrong community: check the agent's address and that one of "
                + "them is right.", message);

        TestCredentials mixed = TestCredentials.builder()
                .add(CredentialType.SNMP_COMMUNITY, "wrong-a", "community", WRONG_COMMUNITY)
                .add(CredentialType.SNMPV3, "lab-v3-wrong", "user_name", snmpd.v3User(), "auth_protocol", "SHA", "privacy_protocol", "AES",
                        "auth_key", WRONG_AUTH_KEY, "privacy_key", snmpd.privacyKey())
                .build();
        String both = error(new SnmpProbe(protocol, mixed), payload("oids", List.of(SnmpDaemon.SYS_NAME_OID), "timeout_ms", 200,
                "retries", 0));
        assertContains(both, "no SNMP credential worked for " + snmpd.address() + ": no answer from", "credential 'wrong-a'",
                "refused the authentication of user 'midway-v3'", "(credential 'lab-v3-wrong')");
    }

    @Test
    public void credentialErrors() {
        SnmpProbe probe = probe();
        List<String> oids = List.of(SnmpDaemon.SYS_NAME_OID);
        assertEquals("no credential 'nope' on this agent", error(probe, payload("credential", "nope", "oids", oids)));
        assertContains(error(probe, payload("credential", "lab-basic", "oids", oids)), "credential 'lab-basic' (basic) cannot be used for SNMP",
                "snmp_community", "snmpv3");
        assertContains(error(probe, payload("credential", "lab-v2c", "version", "v3", "oids", oids)),
                "payload.version is v3, but credential 'lab-v2c' is an snmp_community credential, which is for SNMP v2c");
        assertContains(error(new SnmpProbe(protocol, null), payload("credential", "lab-v2c", "oids", oids)), "no credential store");
        assertContains(error(new SnmpProbe(protocol, null), payload("oids", oids)), "no credential store");
        assertContains(error(new SnmpProbe(protocol, TestCredentials.builder().build()), payload("oids", oids)),
                "no active snmp_community or snmpv3 credential for 127.0.0.1");
        TestCredentials odd = TestCredentials.builder()
                .add(CredentialType.SNMPV3, "odd-v3", "user_name", "u", "auth_protocol", "SHA-1024", "auth_key", "k")
                .add(CredentialType.SNMPV3, "short-v3", "user_name", "u", "auth_protocol", "SHA", "auth_key", "short")
                .build();
        assertContains(error(new SnmpProbe(protocol, odd), payload("credential", "odd-v3", "oids", oids)),
                "credential 'odd-v3' (snmpv3): auth_protocol 'SHA-1024' is not one of MD5, SHA");
        assertContains(error(new SnmpProbe(protocol, odd), payload("credential", "short-v3", "oids", oids)),
                "credential 'short-v3' (snmpv3): the SNMPv3 authentication key of user 'u' is shorter than 8 characters");
    }

    // ---------------------------------------------------------------- bad payloads

    @Test
    public void badPayloadsSayWhatIsWrong() {
        SnmpProbe probe = probe();
        List<String> oids = List.of(SnmpDaemon.SYS_NAME_OID);
        assertContains(error(probe, payload("credential", "lab-v2c", "oids", List.of(SYSTEM, "1.3.x"))),
                "Bad payload.oids[1] '1.3.x': numbers separated by dots are needed");
        assertContains(error(probe, payload("credential", "lab-v2c", "oids", List.of("sysName.0"))), "Bad payload.oids[0] 'sysName.0'");
        assertContains(error(probe, payload("credential", "lab-v2c", "oids", List.of("1.3.6.1.99999999999"))),
                "larger than 4294967295");
        assertContains(error(probe, payload("credential", "lab-v2c")), "payload.oids is missing or empty");
        Map<String, Object> noTarget = payload("credential", "lab-v2c", "oids", oids);
        noTarget.remove("target");
        assertContains(error(probe, noTarget), "payload.target is missing");
        assertContains(error(probe, payload("target", "host name", "oids", oids)), "Bad payload.target 'host name'");
        assertContains(error(probe, payload("target", "127.0.0.1:99999", "oids", oids)), "Bad payload.target '127.0.0.1:99999'",
                "port must be a number from 1 to 65535");
        assertContains(error(probe, payload("target", "127.0.0.1:1161", "port", 161, "oids", oids)),
                "payload.target names port 1161 but payload.port is 161");
        assertContains(error(probe, payload("oids", oids, "operation", "set")), "payload.operation", "get, walk");
        assertContains(error(probe, payload("oids", oids, "version", "v1")), "payload.version", "v2c, v3");
        assertContains(error(probe, payload("oids", oids, "timeout_ms", 60001)), "payload.timeout_ms", "from 1 to 60000");
        assertContains(error(probe, payload("oids", oids, "retries", 6)), "payload.retries", "from 0 to 5");
        assertContains(error(probe, payload("oids", oids, "max_varbinds", 100001)), "payload.max_varbinds", "from 1 to 100000");
    }

    @Test
    public void ipv6TargetsParse() throws Exception {
        // no agent on ::1 in this test: only the parsing and the address in the timeout message
        String message = error(probe(), payload("credential", "lab-v2c", "target", "[::1]:" + ExternalServer.freeUdpPort(), "oids",
                List.of(SnmpDaemon.SYS_NAME_OID), "timeout_ms", 100, "retries", 0));
        assertContains(message, "no answer from [::1]:");
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws java.io.IOException {
            first.write(bytes, offset, length);
            second.write(bytes, offset, length);
        }

        @Override
        public void flush() throws java.io.IOException {
            first.flush();
        }
    }
}
