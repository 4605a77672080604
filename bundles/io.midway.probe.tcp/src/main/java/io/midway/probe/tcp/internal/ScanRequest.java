package io.midway.probe.tcp.internal;

import static io.midway.api.probe.ProbePayload.wholeNumber;
import static io.midway.api.probe.ProbePayload.describe;
import static io.midway.api.probe.ProbePayload.shorten;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;

/**
 * A validated TCPScan payload: the addresses to scan, the ports, the connect timeout.
 *
 * <p>Every rejection is a {@link ProbeException} whose message names the field, the bad value and
 * what is accepted, because it reaches the operator as the ECC record's {@code error_string}.
 */
final class ScanRequest {

    static final String HOST = "host";
    static final String PORTS = "ports";
    static final String TIMEOUT_MS = "timeout_ms";

    static final int MAX_PORTS = 1024;
    static final int DEFAULT_TIMEOUT_MS = 500;
    static final int MAX_TIMEOUT_MS = 60_000;

    private static final String HOST_FORMS = "host must be an IPv4 address (e.g. 10.0.0.5), a host name (e.g. db01.example.com)"
            + " or an IPv4 CIDR block of /24 to /32 (e.g. 10.0.0.0/24)";

    /** One address to scan, with the host name it came from, if any. */
    static final class Target {
        final Inet4Address address;
        final String name;

        Target(Inet4Address address, String name) {
            this.address = address;
            this.name = name;
        }
    }

    private final List<Target> targets;
    private final int[] ports;
    private final int timeoutMs;

    private ScanRequest(List<Target> targets, int[] ports, int timeoutMs) {
        this.targets = targets;
        this.ports = ports;
        this.timeoutMs = timeoutMs;
    }

    /** @return the addresses to scan, ascending */
    List<Target> targets() {
        return targets;
    }

    /** @return the distinct ports, ascending */
    int[] ports() {
        return ports.clone();
    }

    /** @return the connect timeout per attempt, in milliseconds */
    int timeoutMs() {
        return timeoutMs;
    }

    /**
     * Validates a TCPScan record.
     *
     * @param request the ECC output record
     * @return the scan it asks for
     * @throws ProbeException when the payload is not a valid TCPScan payload
     */
    static ScanRequest from(ProbeRequest request) throws ProbeException {
        Map<String, Object> payload = request.payload();
        List<Target> targets = parseHost(payload.get(HOST), request.source());
        int[] ports = parsePorts(payload.get(PORTS));
        int timeoutMs = parseTimeout(payload.get(TIMEOUT_MS));
        return new ScanRequest(targets, ports, timeoutMs);
    }

    private static List<Target> parseHost(Object value, String source) throws ProbeException {
        String origin = "payload.host";
        String host;
        if (value == null || (value instanceof String && ((String) value).isBlank())) {
            if (source.isBlank()) {
                throw new ProbeException("No host to scan: the payload has no 'host' and the record has no 'source'. "
                        + HOST_FORMS + ".");
            }
            origin = "record source";
            host = source.trim();
        } else if (value instanceof String) {
            host = ((String) value).trim();
        } else {
            throw new ProbeException("payload.host must be a string, not " + describe(value) + ": " + HOST_FORMS + ".");
        }

        if (host.length() > 253) {
            throw new ProbeException("Bad " + origin + ": it is " + host.length() + " characters long, a host name has at most 253; "
                    + HOST_FORMS + ".");
        }
        if (host.indexOf(':') >= 0) {
            throw new ProbeException("IPv6 is not supported (" + origin + " '" + host + "'): " + HOST_FORMS + ".");
        }
        if (host.indexOf('/') >= 0) {
            try {
                Ipv4Block block = Ipv4Block.parse(host);
                return block.scanAddresses().stream().map(a -> new Target(a, null)).toList();
            } catch (IllegalArgumentException e) {
                throw new ProbeException("Bad " + origin + ": " + e.getMessage() + ".");
            }
        }
        if (host.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')) {
            try {
                return List.of(new Target(Ipv4Block.toInetAddress(Ipv4Block.parseAddress(host)), null));
            } catch (IllegalArgumentException e) {
                throw new ProbeException("Bad " + origin + ": " + e.getMessage() + "; " + HOST_FORMS + ".");
            }
        }
        if (!isHostName(host)) {
            throw new ProbeException("Bad " + origin + ": '" + host + "' is not a valid host name (letters, digits, '-', '_' and '.' only); "
                    + HOST_FORMS + ".");
        }
        return List.of(new Target(resolve(host, origin), host));
    }

    private static boolean isHostName(String host) {
        if (host.length() > 253 || host.startsWith(".") || host.contains("..")) {
            return false;
        }
        return host.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.');
    }

    private static Inet4Address resolve(String host, String origin) throws ProbeException {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new ProbeException("Unknown host '" + host + "' (" + origin + "): the name does not resolve on the agent's host. "
                    + "Check the name or give an IPv4 address; " + HOST_FORMS + ".");
        }
        return Arrays.stream(addresses)
                .filter(Inet4Address.class::isInstance)
                .map(Inet4Address.class::cast)
                .findFirst()
                .orElseThrow(() -> new ProbeException("Host '" + host + "' (" + origin
                        + ") resolves only to IPv6 addresses, and IPv6 is not supported: " + HOST_FORMS + "."));
    }

    private static int[] parsePorts(Object value) throws ProbeException {
        String accepted = "ports must be a non-empty list of at most " + MAX_PORTS + " port numbers from 1 to 65535, e.g. [22, 443]";
        if (value == null) {
            throw new ProbeException("payload.ports is missing: " + accepted + ".");
        }
        if (!(value instanceof List)) {
            throw new ProbeException("payload.ports must be a list, not " + describe(value) + ": " + accepted + ".");
        }
        List<?> list = (List<?>) value;
        if (list.isEmpty()) {
            throw new ProbeException("payload.ports is empty: " + accepted + ".");
        }
        if (list.size() > MAX_PORTS) {
            throw new ProbeException("payload.ports has " + list.size() + " entries: " + accepted + ".");
        }
        TreeSet<Integer> ports = new TreeSet<>();
        for (int i = 0; i < list.size(); i++) {
            Object entry = list.get(i);
            Long number = wholeNumber(entry);
            if (number == null || number < 1 || number > 65535) {
                throw new ProbeException("payload.ports[" + i + "] is " + describe(entry) + ", not a port: " + accepted + ".");
            }
            ports.add(number.intValue());
        }
        return ports.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int parseTimeout(Object value) throws ProbeException {
        if (value == null) {
            return DEFAULT_TIMEOUT_MS;
        }
        Long number = wholeNumber(value);
        if (number == null || number < 1 || number > MAX_TIMEOUT_MS) {
            throw new ProbeException("payload.timeout_ms is " + describe(value) + ": it must be a whole number of milliseconds from 1 to "
                    + MAX_TIMEOUT_MS + " (default " + DEFAULT_TIMEOUT_MS + ").");
        }
        return number.intValue();
    }
}
