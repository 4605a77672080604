package io.midway.wire;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Whether a host is this machine, for the rules about plain HTTP on both sides of the wire: the
 * launcher (who may use the instance's plain HTTP), the agent (it never sends its password over
 * plain HTTP to another host) and both consoles (no credentials over plain HTTP from another host).
 */
public final class Loopback {

    /** A literal IPv4 or IPv6 address (with a zone or not); compiled once, as every request asks. */
    private static final Pattern LITERAL = Pattern.compile("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(%[A-Za-z0-9_.-]+)?");

    private Loopback() {
    }

    /**
     * @param host {@code localhost}, a literal IPv4 or IPv6 address (in brackets or not, with or
     *     without a zone), or a name
     * @return whether it is this machine; a name other than {@code localhost} is not looked up and
     *     counts as another host
     */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.trim();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!LITERAL.matcher(h).matches()) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
