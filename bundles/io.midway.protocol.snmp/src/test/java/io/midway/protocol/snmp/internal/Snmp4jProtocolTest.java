package io.midway.protocol.snmp.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import io.midway.protocol.snmp.SnmpAuthProtocol;
import io.midway.protocol.snmp.SnmpAuthenticationException;
import io.midway.protocol.snmp.SnmpPrivacyProtocol;
import io.midway.protocol.snmp.SnmpResult;
import io.midway.protocol.snmp.SnmpTarget;
import io.midway.protocol.snmp.SnmpTimeoutException;
import io.midway.protocol.snmp.SnmpVarbind;
import io.midway.testing.servers.ExternalServer;
import io.midway.testing.servers.SnmpDaemon;

/** The SNMP client against a real Net-SNMP agent. */
public class Snmp4jProtocolTest {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(120);

    private static final String SYSTEM = "1.3.6.1.2.1.1";
    private static SnmpDaemon snmpd;
    private static Snmp4jProtocol snmp;

    @BeforeClass
    public static void startAgent() {
        snmpd = SnmpDaemon.start();
        snmp = new Snmp4jProtocol(config(50, 120_000));
    }

    @AfterClass
    public static void stopAgent() {
        if (snmp != null) {
            snmp.close();
        }
        if (snmpd != null) {
            snmpd.close();
        }
    }

    static SnmpProtocolConfiguration config(int perRequest, int walkMs) {
        return new SnmpProtocolConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SnmpProtocolConfiguration.class;
            }

            @Override
            public int varbinds_per_request() {
                return perRequest;
            }

            @Override
            public int walk_max_duration_ms() {
                return walkMs;
            }
        };
    }

    private static SnmpTarget.Builder v2c(String community) {
        return SnmpTarget.v2c(ExternalServer.HOST, community).port(snmpd.port()).timeout(Duration.ofMillis(2000)).retries(0);
    }

    private static SnmpTarget.Builder v3(String authKey, String privacyKey) {
        return SnmpTarget.v3(ExternalServer.HOST, snmpd.v3User()).port(snmpd.port()).timeout(Duration.ofMillis(2000)).retries(0)
                .authentication(SnmpAuthProtocol.SHA, authKey).privacy(SnmpPrivacyProtocol.AES128, privacyKey);
    }

    @Test
    public void v2cGetReadsValuesAndReportsMissingOnes() throws Exception {
        SnmpResult result = snmp.get(v2c(snmpd.community()).build(),
                List.of(SnmpDaemon.SYS_NAME_OID, ".1.3.6.1.2.1.1.6.0", "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.99.0", "1.3.6.1.2.1.1.5.7"));
        List<SnmpVarbind> varbinds = result.varbinds();
        assertEquals(5, varbinds.size());
        assertEquals(new SnmpVarbind(SnmpDaemon.SYS_NAME_OID, SnmpVarbind.OCTET_STRING, SnmpDaemon.SYS_NAME, false), varbinds.get(0));
        assertEquals(new SnmpVarbind("1.3.6.1.2.1.1.6.0", SnmpVarbind.OCTET_STRING, SnmpDaemon.SYS_LOCATION, false), varbinds.get(1));
        assertEquals(SnmpVarbind.TIMETICKS, varbinds.get(2).type());
        assertTrue(varbinds.get(2).value() instanceof Long);
        assertEquals(new SnmpVarbind("1.3.6.1.2.1.1.99.0", SnmpVarbind.NO_SUCH_OBJECT, null, false), varbinds.get(3));
        assertEquals(new SnmpVarbind("1.3.6.1.2.1.1.5.7", SnmpVarbind.NO_SUCH_INSTANCE, null, false), varbinds.get(4));
        assertFalse(result.truncated());
    }

    @Test
    public void getSplitsManyOidsIntoSeveralRequests() throws Exception {
        Snmp4jProtocol small = new Snmp4jProtocol(config(2, 120_000));
        try {
            List<String> oids = List.of("1.3.6.1.2.1.1.4.0", "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.6.0", "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.4.0");
            List<Object> values = new ArrayList<>();
            small.get(v2c(snmpd.community()).build(), oids).varbinds().forEach(v -> values.add(v.value()));
            assertEquals(List.of(SnmpDaemon.SYS_CONTACT, SnmpDaemon.SYS_NAME, SnmpDaemon.SYS_LOCATION, SnmpDaemon.SYS_NAME,
                    SnmpDaemon.SYS_CONTACT), values);
        } finally {
            small.close();
        }
    }

    @Test
    public void walkStaysInTheSubtreeInOrder() throws Exception {
        Snmp4jProtocol small = new Snmp4jProtocol(config(7, 120_000)); // several GETBULK requests
        try {
            SnmpResult result = small.walk(v2c(snmpd.community()).build(), SYSTEM, 10_000);
            List<SnmpVarbind> varbinds = result.varbinds();
            assertFalse(result.truncated());
            assertTrue("the system group has more than 10 instances: " + varbinds, varbinds.size() > 10);
            for (SnmpVarbind varbind : varbinds) {
                assertTrue(varbind.oid(), varbind.oid().startsWith(SYSTEM + "."));
            }
            for (int i = 1; i < varbinds.size(); i++) {
                assertTrue(varbinds.get(i - 1) + " before " + varbinds.get(i),
                        new org.snmp4j.smi.OID(varbinds.get(i - 1).oid()).compareTo(new org.snmp4j.smi.OID(varbinds.get(i).oid())) < 0);
            }
            assertTrue(varbinds.contains(new SnmpVarbind(SnmpDaemon.SYS_NAME_OID, SnmpVarbind.OCTET_STRING, SnmpDaemon.SYS_NAME, false)));
            assertEquals(SnmpVarbind.OID, find(varbinds, "1.3.6.1.2.1.1.2.0").type());
            assertEquals("the same as one GETBULK stream", snmp.walk(v2c(snmpd.community()).build(), SYSTEM, 10_000).varbinds().stream()
                    .map(SnmpVarbind::oid).toList(), varbinds.stream().map(SnmpVarbind::oid).toList());
        } finally {
            small.close();
        }
    }

    @Test
    public void walkStopsAtMaxVarbinds() throws Exception {
        SnmpResult all = snmp.walk(v2c(snmpd.community()).build(), SYSTEM, 10_000);
        SnmpResult five = snmp.walk(v2c(snmpd.community()).build(), SYSTEM, 5);
        assertTrue(five.truncated());
        assertEquals(oids(all).subList(0, 5), oids(five));
        SnmpResult exact = snmp.walk(v2c(snmpd.community()).build(), SYSTEM, all.varbinds().size());
        assertFalse("exactly the subtree's size is not truncated", exact.truncated());
        assertEquals(oids(all), oids(exact));
    }

    @Test
    public void walkOfAnInstanceGivesTheInstanceAndOfNothingGivesNothing() throws Exception {
        SnmpResult instance = snmp.walk(v2c(snmpd.community()).build(), SnmpDaemon.SYS_NAME_OID, 100);
        assertEquals(List.of(new SnmpVarbind(SnmpDaemon.SYS_NAME_OID, SnmpVarbind.OCTET_STRING, SnmpDaemon.SYS_NAME, false)),
                instance.varbinds());
        SnmpResult nothing = snmp.walk(v2c(snmpd.community()).build(), "1.3.6.1.2.1.1.99", 100);
        assertEquals(List.of(), nothing.varbinds());
        assertFalse(nothing.truncated());
    }

    @Test
    public void v3AuthPrivGetAndWalk() throws Exception {
        SnmpTarget target = v3(snmpd.authKey(), snmpd.privacyKey()).build();
        assertEquals("SNMP v3, user 'midway-v3', authPriv SHA/AES", target.security());
        assertEquals(SnmpDaemon.SYS_NAME, snmp.get(target, List.of(SnmpDaemon.SYS_NAME_OID)).varbinds().get(0).value());
        assertEquals(snmp.walk(v2c(snmpd.community()).build(), SYSTEM, 10_000).varbinds().size(),
                snmp.walk(target, SYSTEM, 10_000).varbinds().size());
    }

    @Test
    public void v3WrongAuthKeyIsAWrongDigestReport() {
        SnmpAuthenticationException e = assertThrows(SnmpAuthenticationException.class,
                () -> snmp.get(v3("wrong-auth-key", snmpd.privacyKey()).build(), List.of(SnmpDaemon.SYS_NAME_OID)));
        assertEquals("usmStatsWrongDigests", e.report());
        assertTrue(e.getMessage(), e.getMessage().startsWith("the SNMP agent at " + snmpd.address()
                + " refused the authentication of user 'midway-v3': wrong authentication key or protocol"));
        assertFalse(e.getMessage().contains(snmpd.privacyKey()));
    }

    @Test
    public void v3UnknownUserIsReported() {
        SnmpTarget target = SnmpTarget.v3(ExternalServer.HOST, "nobody").port(snmpd.port()).timeout(Duration.ofMillis(2000)).retries(0)
                .authentication(SnmpAuthProtocol.SHA256, "some-auth-key").build();
        SnmpAuthenticationException e = assertThrows(SnmpAuthenticationException.class,
                () -> snmp.get(target, List.of(SnmpDaemon.SYS_NAME_OID)));
        assertEquals("usmStatsUnknownUserNames", e.report());
        assertTrue(e.getMessage(), e.getMessage().contains("does not know user 'nobody'"));
    }

    @Test
    public void v3RightAndWrongKeysOfOneUserAtTheSameTimeDoNotMix() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                boolean right = i % 2 == 0;
                Callable<String> call = () -> {
                    try {
                        return (String) snmp.get(v3(right ? snmpd.authKey() : "wrong-auth-key", snmpd.privacyKey()).build(),
                                List.of(SnmpDaemon.SYS_NAME_OID)).varbinds().get(0).value();
                    } catch (SnmpAuthenticationException e) {
                        return e.report();
                    }
                };
                outcomes.add(pool.submit(call));
            }
            for (int i = 0; i < outcomes.size(); i++) {
                assertEquals("call " + i, i % 2 == 0 ? SnmpDaemon.SYS_NAME : "usmStatsWrongDigests", outcomes.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void wrongCommunityAndWrongPrivacyKeyGetNoAnswer() {
        SnmpTimeoutException community = assertThrows(SnmpTimeoutException.class,
                () -> snmp.get(v2c("not-the-community").timeout(Duration.ofMillis(300)).build(), List.of(SnmpDaemon.SYS_NAME_OID)));
        assertEquals("no answer from " + snmpd.address() + " within 300 ms (SNMP v2c)", community.getMessage());
        SnmpTimeoutException privacy = assertThrows(SnmpTimeoutException.class, () -> snmp.get(
                v3(snmpd.authKey(), "wrong-privacy-key").timeout(Duration.ofMillis(300)).build(), List.of(SnmpDaemon.SYS_NAME_OID)));
        assertTrue(privacy.getMessage(), privacy.getMessage().startsWith("no answer from " + snmpd.address() + " within 300 ms (SNMP v3"));
    }

    @Test
    public void deadPortTimesOutAfterRetries() {
        int port = ExternalServer.freeUdpPort();
        long started = System.nanoTime();
        SnmpTimeoutException e = assertThrows(SnmpTimeoutException.class, () -> snmp.get(
                SnmpTarget.v2c(ExternalServer.HOST, "x-community").port(port).timeout(Duration.ofMillis(200)).retries(1).build(),
                List.of(SnmpDaemon.SYS_NAME_OID)));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals("no answer from 127.0.0.1:" + port + " within 200 ms (SNMP v2c, 1 retry)", e.getMessage());
        assertTrue("took " + tookMs + " ms", tookMs >= 350 && tookMs < 3000);
    }

    @Test
    public void badInputIsRefusedWithoutSecrets() {
        SnmpTarget target = v2c(snmpd.community()).build();
        IllegalArgumentException oid = assertThrows(IllegalArgumentException.class, () -> snmp.get(target, List.of("1.3.6.x")));
        assertTrue(oid.getMessage(), oid.getMessage().startsWith("'1.3.6.x' is not a numeric OID"));
        assertThrows(IllegalArgumentException.class, () -> snmp.walk(target, "sysName", 10));
        assertThrows(IllegalArgumentException.class, () -> snmp.walk(target, "1.3.6.1.4294967296", 10));
        assertThrows(IllegalArgumentException.class, () -> snmp.walk(target, "3.1", 10));
        assertThrows(IllegalArgumentException.class, () -> snmp.walk(target, SYSTEM, 0));
        IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class, () -> v3("short7!", "long-enough-key").build());
        assertFalse(shortKey.getMessage().contains("short7!"));
        assertTrue(shortKey.getMessage(), shortKey.getMessage().contains("authentication key of user 'midway-v3' is shorter than 8"));
        assertThrows(IllegalArgumentException.class, () -> SnmpTarget.v3(ExternalServer.HOST, "u")
                .privacy(SnmpPrivacyProtocol.AES128, "long-enough-key").build());
        assertFalse(v2c(snmpd.community()).build().toString().contains(snmpd.community()));
        assertFalse(v3(snmpd.authKey(), snmpd.privacyKey()).build().toString().contains(snmpd.authKey()));
    }

    @Test
    public void protocolNamesParse() {
        assertEquals(SnmpAuthProtocol.SHA, SnmpAuthProtocol.of("sha1").orElseThrow());
        assertEquals(SnmpAuthProtocol.SHA256, SnmpAuthProtocol.of("SHA-256").orElseThrow());
        assertEquals(SnmpPrivacyProtocol.AES128, SnmpPrivacyProtocol.of("aes-128").orElseThrow());
        assertEquals(SnmpPrivacyProtocol.TRIPLE_DES, SnmpPrivacyProtocol.of("3DES").orElseThrow());
        assertTrue(SnmpAuthProtocol.of("SHA-1024").isEmpty());
    }

    @Test
    public void octetStringsAreTextOrHex() {
        assertEquals("abc", VarbindFormatter.printable("abc\0".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(null, VarbindFormatter.printable(new byte[] {0, 0x1a, (byte) 0xff}));
        assertEquals("00:1a:ff", VarbindFormatter.hex(new byte[] {0, 0x1a, (byte) 0xff}));
    }

    private static List<String> oids(SnmpResult result) {
        return result.varbinds().stream().map(SnmpVarbind::oid).toList();
    }

    private static SnmpVarbind find(List<SnmpVarbind> varbinds, String oid) {
        return varbinds.stream().filter(v -> v.oid().equals(oid)).findFirst().orElseThrow(() -> new AssertionError(oid + " in " + varbinds));
    }

}
