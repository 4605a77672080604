package io.midway.testing.servers;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/** Starts the real snmpd and asks it with Net-SNMP's own snmpget (Debian package snmp). */
public class SnmpDaemonTest {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(120);

    @Test
    public void answersV2cAndV3WithTheConfiguredValuesAndStopsOnClose() throws Exception {
        long started = System.nanoTime();
        SnmpDaemon snmpd = SnmpDaemon.start();
        Path folder = snmpd.folder();
        try {
            long startMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue("snmpd took " + startMs + " ms to answer", startMs < 5000);

            String v2c = snmpget(snmpd, "-v2c", "-c", snmpd.community(), snmpd.address(), SnmpDaemon.SYS_NAME_OID,
                    "1.3.6.1.2.1.1.6.0", "1.3.6.1.2.1.1.4.0");
            assertEquals(List.of(SnmpDaemon.SYS_NAME, SnmpDaemon.SYS_LOCATION, SnmpDaemon.SYS_CONTACT), lines(v2c));
            assertEquals(SnmpDaemon.SYS_NAME, snmpd.expectedSysName());

            String v3 = snmpget(snmpd, "-v3", "-l", "authPriv", "-u", snmpd.v3User(), "-a", SnmpDaemon.AUTH_PROTOCOL, "-A",
                    snmpd.authKey(), "-x", SnmpDaemon.PRIVACY_PROTOCOL, "-X", snmpd.privacyKey(), snmpd.address(),
                    SnmpDaemon.SYS_NAME_OID);
            assertEquals(List.of(SnmpDaemon.SYS_NAME), lines(v3));

            assertTrue(snmpd.answersSysName(snmpd.community(), 1000));
            assertFalse("a wrong community gets no answer", snmpd.answersSysName(snmpd.community() + "x", 300));
            assertNotEquals(snmpd.authKey(), snmpd.privacyKey());
            assertTrue("its own persistent folder", Files.isDirectory(folder.resolve("persistent")));
        } finally {
            snmpd.close();
        }
        assertFalse("no answer after close", snmpd.answersSysName(snmpd.community(), 300));
        assertFalse("folder removed", Files.exists(folder));
    }

    /** Runs snmpget with -Oqv (values only), its client state in the daemon's folder. */
    private static String snmpget(SnmpDaemon snmpd, String... args) throws IOException, InterruptedException {
        Path snmpget = ExternalServer.binary("snmpget");
        Path client = Files.createDirectories(snmpd.folder().resolve("client"));
        List<String> command = new ArrayList<>(List.of(snmpget.toString(), "-Oqv", "-t", "2", "-r", "1"));
        command.addAll(List.of(args));
        Path errors = client.resolve("snmpget.err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(errors.toFile());
        builder.environment().put("SNMP_PERSISTENT_DIR", client.toString());
        builder.environment().put("SNMPCONFPATH", client.toString());
        builder.environment().put("MIBS", "");
        Process process = builder.start();
        assertTrue("snmpget finished", process.waitFor(10, TimeUnit.SECONDS));
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("snmpget " + String.join(" ", args) + ": " + output + Files.readString(errors), 0, process.exitValue());
        return output;
    }

    private static List<String> lines(String output) {
        List<String> values = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (!line.isBlank()) {
                values.add(line.trim().replaceAll("^\"|\"$", ""));
            }
        }
        return values;
    }
}
