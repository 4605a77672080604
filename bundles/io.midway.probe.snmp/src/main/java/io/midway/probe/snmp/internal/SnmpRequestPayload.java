package io.midway.probe.snmp.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbePayload;
import io.midway.api.probe.ProbeRequest;

/**
 * The payload of an SNMP record, checked: every problem is a {@link ProbeException} that names the
 * field and what it accepts.
 */
final class SnmpRequestPayload {

    static final long DEFAULT_TIMEOUT_MS = 5000;
    static final long MAX_TIMEOUT_MS = 60_000;
    static final long DEFAULT_RETRIES = 1;
    static final long MAX_RETRIES = 5;
    static final long DEFAULT_MAX_VARBINDS = 10_000;
    static final long MAX_MAX_VARBINDS = 100_000;
    static final int DEFAULT_PORT = 161;

    private static final String TARGET_ACCEPTED = "an SNMP agent's host name or IP address, optionally with :port, "
            + "such as 10.0.0.7, 10.0.0.7:1161 or [fe80::1]:161";
    private static final String OID_ACCEPTED = "a numeric OID such as 1.3.6.1.2.1.1.5.0";
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");
    private static final Pattern OID_TEXT = Pattern.compile("\\.?[0-9]+(\\.[0-9]+)+");

    final String host;
    final int port;
    /** {@code v2c}, {@code v3}, or {@code null} when the credential type decides. */
    final String version;
    final List<String> oids;
    final boolean walk;
    final String credential;
    final int timeoutMs;
    final int retries;
    final int maxVarbinds;

    private SnmpRequestPayload(String host, int port, String version, List<String> oids, boolean walk, String credential,
            int timeoutMs, int retries, int maxVarbinds) {
        this.host = host;
        this.port = port;
        this.version = version;
        this.oids = oids;
        this.walk = walk;
        this.credential = credential;
        this.timeoutMs = timeoutMs;
        this.retries = retries;
        this.maxVarbinds = maxVarbinds;
    }

    static SnmpRequestPayload from(ProbeRequest request) throws ProbeException {
        ProbePayload payload = ProbePayload.of(request);
        String target = payload.requiredText("target", TARGET_ACCEPTED);
        String host;
        Integer targetPort = null;
        if (target.startsWith("[")) {
            int end = target.indexOf(']');
            if (end < 0) {
                throw badTarget(target, "the IPv6 address has no closing ]");
            }
            host = target.substring(1, end);
            String rest = target.substring(end + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw badTarget(target, "only :port may follow the IPv6 address");
                }
                targetPort = port(target, rest.substring(1));
            }
            if (!IPV6.matcher(host).matches() || host.indexOf(':') < 0) {
                throw badTarget(target, "'" + ProbePayload.shorten(host) + "' is not an IPv6 address");
            }
        } else if (target.indexOf(':') >= 0 && target.indexOf(':') == target.lastIndexOf(':')) {
            host = target.substring(0, target.indexOf(':'));
            targetPort = port(target, target.substring(target.indexOf(':') + 1));
        } else {
            host = target;
        }
        boolean ipv6 = host.indexOf(':') >= 0;
        if (host.isEmpty() || (ipv6 ? !IPV6.matcher(host).matches() : !HOST_NAME.matcher(host).matches())) {
            throw badTarget(target, "'" + ProbePayload.shorten(host) + "' is not a host name or IP address");
        }
        int port = targetPort == null ? DEFAULT_PORT : targetPort;
        if (payload.has("port")) {
            Long given = ProbePayload.wholeNumber(payload.get("port"));
            if (given == null || given < 1 || given > 65535) {
                throw new ProbeException(payload.path("port") + " is " + ProbePayload.describe(payload.get("port"))
                        + ": it must be a UDP port number from 1 to 65535 (default " + DEFAULT_PORT + ").");
            }
            if (targetPort != null && targetPort.intValue() != given.intValue()) {
                throw new ProbeException("payload.target names port " + targetPort + " but payload.port is " + given
                        + ": give the port once.");
            }
            port = given.intValue();
        }

        String version = payload.choice("version", null, "v2c", "v3");
        List<String> oids = new ArrayList<>();
        List<String> given = payload.textList("oids", true, OID_ACCEPTED);
        if (given.size() > MAX_MAX_VARBINDS) {
            throw new ProbeException("payload.oids has " + given.size() + " OIDs: give at most " + MAX_MAX_VARBINDS + ".");
        }
        for (int i = 0; i < given.size(); i++) {
            oids.add(oid(i, given.get(i)));
        }
        boolean walk = "walk".equals(payload.choice("operation", "get", "get", "walk"));
        String credential = payload.text("credential", null);
        if (credential != null && credential.isBlank()) {
            credential = null;
        }
        int timeoutMs = (int) payload.wholeNumber("timeout_ms", 1, MAX_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, "milliseconds");
        int retries = (int) payload.wholeNumber("retries", 0, MAX_RETRIES, DEFAULT_RETRIES, "retries");
        int maxVarbinds = (int) payload.wholeNumber("max_varbinds", 1, MAX_MAX_VARBINDS, DEFAULT_MAX_VARBINDS, "varbinds");
        return new SnmpRequestPayload(host, port, version, List.copyOf(oids), walk, credential == null ? null : credential.trim(),
                timeoutMs, retries, maxVarbinds);
    }

    /** @return {@code host:port}, {@code [v6]:port} */
    String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static int port(String target, String text) throws ProbeException {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw badTarget(target, "the port must be a number from 1 to 65535");
    }

    private static ProbeException badTarget(String target, String why) {
        return new ProbeException("Bad payload.target '" + ProbePayload.shorten(target) + "': " + why + "; it must be "
                + TARGET_ACCEPTED + ".");
    }

    /** @return the OID without a leading dot, checked */
    private static String oid(int index, String text) throws ProbeException {
        String why = null;
        if (!OID_TEXT.matcher(text).matches()) {
            why = "numbers separated by dots are needed (MIB names such as sysName.0 are not resolved)";
        } else {
            String[] arcs = (text.startsWith(".") ? text.substring(1) : text).split("\\.");
            if (arcs.length > 128) {
                why = "an OID has at most 128 sub-identifiers";
            } else if (Long.parseLong(arcs[0]) > 2) {
                why = "an OID starts with 0, 1 or 2";
            } else {
                for (String arc : arcs) {
                    if (arc.length() > 10 || Long.parseLong(arc) > 0xffffffffL) {
                        why = "sub-identifier " + ProbePayload.shorten(arc) + " is larger than 4294967295";
                        break;
                    }
                }
            }
        }
        if (why != null) {
            throw new ProbeException("Bad payload.oids[" + index + "] '" + ProbePayload.shorten(text) + "': " + why + "; each must be "
                    + OID_ACCEPTED + ".");
        }
        return text.startsWith(".") ? text.substring(1) : text;
    }
}
