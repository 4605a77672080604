package io.midway.testing.servers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * A real Net-SNMP agent ({@code snmpd}, Debian package {@code snmpd}) on {@code udp:127.0.0.1:<free
 * port>}, with its own configuration and persistent folder only:
 *
 * <ul>
 * <li>a random v2c read-only {@link #community() community};</li>
 * <li>an SNMPv3 {@link #v3User() user} with SHA authentication and AES privacy and random
 * {@link #authKey() authentication} and {@link #privacyKey() privacy} keys (security level
 * authPriv);</li>
 * <li>{@link #SYS_NAME}, {@link #SYS_LOCATION} and {@link #SYS_CONTACT} to assert on.</li>
 * </ul>
 *
 * <pre>
 * try (SnmpDaemon snmpd = SnmpDaemon.start()) {
 *     int port = snmpd.port();                 // udp:127.0.0.1:port
 *     String community = snmpd.community();
 *     ...
 * }
 * </pre>
 *
 * {@link #start()} returns once the agent answers a v2c GET of sysName.0 (usually well under a
 * second).
 */
public final class SnmpDaemon extends ExternalServer {

    /** sysName.0 of the agent. */
    public static final String SYS_NAME = "midway-test-agent";

    /** sysLocation.0 of the agent. */
    public static final String SYS_LOCATION = "Midway test lab, rack 7";

    /** sysContact.0 of the agent. */
    public static final String SYS_CONTACT = "ops@midway.test";

    /** The OID of sysName.0. */
    public static final String SYS_NAME_OID = "1.3.6.1.2.1.1.5.0";

    /** The SNMPv3 user's authentication protocol (Net-SNMP and SNMP4J name). */
    public static final String AUTH_PROTOCOL = "SHA";

    /** The SNMPv3 user's privacy protocol (Net-SNMP and SNMP4J name: AES-128 CFB). */
    public static final String PRIVACY_PROTOCOL = "AES";

    private static final SecureRandom RANDOM = new SecureRandom();
    /** BER of OID 1.3.6.1.2.1.1.5.0 (sysName.0). */
    private static final byte[] SYS_NAME_BER = {0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x05, 0x00};

    private final int port;
    private final String community;
    private final String v3User;
    private final String authKey;
    private final String privacyKey;

    private SnmpDaemon() {
        super("snmpd");
        this.port = freeUdpPort();
        this.community = "community-" + randomHex(8);
        this.v3User = "midway-v3";
        this.authKey = "auth-" + randomHex(10);
        this.privacyKey = "priv-" + randomHex(10);
    }

    /**
     * Writes the configuration, starts {@code snmpd} in the foreground and waits until it answers.
     *
     * @return the running agent; close it to stop it and remove its folder
     * @throws IllegalStateException when snmpd is not installed (naming the package), ends, or does
     *     not answer within 10 seconds (with its log)
     */
    public static SnmpDaemon start() {
        Path snmpd = binary("snmpd");
        SnmpDaemon daemon = new SnmpDaemon();
        try {
            daemon.launch(snmpd);
            return daemon;
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
    }

    private void launch(Path snmpd) {
        Path persistent = folder().resolve("persistent");
        Path config = folder().resolve("snmpd.conf");
        try {
            Files.createDirectories(persistent);
            Files.writeString(config, String.join("\n",
                    "# written by io.midway.testing.servers.SnmpDaemon",
                    "[snmp] persistentDir " + persistent,
                    "rocommunity " + community + " 127.0.0.1",
                    "createUser " + v3User + " " + AUTH_PROTOCOL + " \"" + authKey + "\" " + PRIVACY_PROTOCOL + " \"" + privacyKey + "\"",
                    "rouser " + v3User + " priv",
                    "sysName " + SYS_NAME,
                    "sysLocation " + SYS_LOCATION,
                    "sysContact " + SYS_CONTACT,
                    ""), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // -f foreground, -Lo log to standard output (our log file), -C no other configuration file
        // env (which execs snmpd, so the process is snmpd itself): MIBS= keeps snmpd from loading
        // (and warning about) the machine's MIB files, which it does not need to answer
        startProcess(List.of(binary("env").toString(), "MIBS=", "SNMP_PERSISTENT_DIR=" + persistent, snmpd.toString(),
                "-f", "-Lo", "-C", "-c", config.toString(), "udp:" + HOST + ":" + port));
        awaitReady(Duration.ofSeconds(10), "answering a v2c GET of sysName.0 on udp:" + HOST + ":" + port,
                () -> answersSysName(community, 100));
    }

    /** @return the UDP port on 127.0.0.1 */
    public int port() {
        return port;
    }

    /** @return {@code 127.0.0.1:port} */
    public String address() {
        return HOST + ":" + port;
    }

    /** @return the v2c read-only community (a secret of the test) */
    public String community() {
        return community;
    }

    /** @return the SNMPv3 user name (authPriv, {@value #AUTH_PROTOCOL} and {@value #PRIVACY_PROTOCOL}) */
    public String v3User() {
        return v3User;
    }

    /** @return the SNMPv3 user's authentication pass phrase ({@value #AUTH_PROTOCOL}) */
    public String authKey() {
        return authKey;
    }

    /** @return the SNMPv3 user's privacy pass phrase ({@value #PRIVACY_PROTOCOL}) */
    public String privacyKey() {
        return privacyKey;
    }

    /** @return the expected sysName.0, {@value #SYS_NAME} */
    public String expectedSysName() {
        return SYS_NAME;
    }

    /**
     * Sends one SNMP v2c GET of sysName.0 with a community and waits for the answer.
     *
     * @param withCommunity the community to send
     * @param waitMs how long to wait for the answer
     * @return whether the agent answered with {@link #SYS_NAME}
     */
    public boolean answersSysName(String withCommunity, int waitMs) {
        byte[] request = getRequest(withCommunity, RANDOM.nextInt(1 << 24));
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(HOST, 0))) {
            socket.setSoTimeout(waitMs);
            socket.send(new DatagramPacket(request, request.length, new InetSocketAddress(HOST, port)));
            byte[] buffer = new byte[4096];
            DatagramPacket answer = new DatagramPacket(buffer, buffer.length);
            socket.receive(answer);
            String text = new String(buffer, 0, answer.getLength(), StandardCharsets.ISO_8859_1);
            return text.contains(SYS_NAME);
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** BER of an SNMP v2c GetRequest for sysName.0. */
    private static byte[] getRequest(String community, int requestId) {
        byte[] varbind = tlv(0x30, concat(SYS_NAME_BER, new byte[] {0x05, 0x00}));
        byte[] pdu = tlv(0xa0, concat(integer(requestId), integer(0), integer(0), tlv(0x30, varbind)));
        return tlv(0x30, concat(integer(1), tlv(0x04, community.getBytes(StandardCharsets.UTF_8)), pdu));
    }

    private static byte[] integer(int value) {
        byte[] bytes = java.math.BigInteger.valueOf(value).toByteArray();
        return tlv(0x02, bytes);
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length & 0xff);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    @Override
    public String toString() {
        return "SnmpDaemon[udp:" + address() + ", v3 user " + v3User + "]";
    }
}
