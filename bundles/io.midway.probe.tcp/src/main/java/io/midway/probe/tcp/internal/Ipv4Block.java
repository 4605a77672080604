package io.midway.probe.tcp.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * An IPv4 CIDR block of at most 256 addresses ({@code /24} to {@code /32}), and the strict
 * dotted-quad parsing the probe uses for addresses.
 */
final class Ipv4Block {

    /** The largest block accepted: a /24, 256 addresses. */
    static final int SMALLEST_PREFIX = 24;

    private final int network;
    private final int prefix;

    private Ipv4Block(int network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /**
     * Parses {@code a.b.c.d/n}. Host bits in the address are ignored ({@code 10.0.0.7/30} is the
     * block {@code 10.0.0.4/30}).
     *
     * @param cidr the block, e.g. {@code 127.0.0.0/30}
     * @return the block
     * @throws IllegalArgumentException with a message for the operator when it is not an IPv4
     *     CIDR block of /24 to /32
     */
    static Ipv4Block parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0 || cidr.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("'" + cidr + "' is not a CIDR block: expected address/prefix, e.g. 10.0.0.0/24");
        }
        String addressPart = cidr.substring(0, slash);
        String prefixPart = cidr.substring(slash + 1);
        if (addressPart.indexOf(':') >= 0) {
            throw new IllegalArgumentException("IPv6 is not supported: '" + cidr + "'; use an IPv4 CIDR block, e.g. 10.0.0.0/24");
        }
        int address;
        try {
            address = parseAddress(addressPart);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + cidr + "' is not a valid CIDR block: " + e.getMessage(), e);
        }
        if (prefixPart.isEmpty() || prefixPart.length() > 2 || !prefixPart.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + cidr + "' has an invalid prefix length '" + prefixPart
                    + "': expected a number from " + SMALLEST_PREFIX + " to 32");
        }
        int prefix = Integer.parseInt(prefixPart);
        if (prefix > 32) {
            throw new IllegalArgumentException("'" + cidr + "' has an invalid prefix length /" + prefix
                    + ": an IPv4 prefix is at most /32");
        }
        if (prefix < SMALLEST_PREFIX) {
            throw new IllegalArgumentException("'" + cidr + "' is too large (" + (1L << (32 - prefix))
                    + " addresses): at most 256 addresses are scanned, use a prefix from /" + SMALLEST_PREFIX + " to /32");
        }
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return new Ipv4Block(address & mask, prefix);
    }

    /**
     * Parses a strict dotted-quad IPv4 address ({@code 0-255} four times, no shorthand forms).
     *
     * @param text the address
     * @return the address as a 32-bit value
     * @throws IllegalArgumentException when {@code text} is not one
     */
    static int parseAddress(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address: expected four numbers 0-255 separated by dots");
        }
        int value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address: expected four numbers 0-255 separated by dots");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address: " + octet + " is larger than 255");
            }
            value = (value << 8) | octet;
        }
        return value;
    }

    /**
     * @param value a 32-bit IPv4 address
     * @return it as an {@link Inet4Address}, without any name lookup
     */
    static Inet4Address toInetAddress(int value) {
        byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always a valid IPv4 address", e);
        }
    }

    /** @return the prefix length, 24 to 32 */
    int prefix() {
        return prefix;
    }

    /**
     * The addresses to scan, ascending: for /24 to /30 without the network and broadcast
     * addresses, for /31 and /32 all of them.
     *
     * @return the addresses
     */
    List<Inet4Address> scanAddresses() {
        int size = 1 << (32 - prefix);
        int first = 0;
        int last = size - 1;
        if (prefix <= 30) {
            first = 1;
            last = size - 2;
        }
        List<Inet4Address> addresses = new ArrayList<>(last - first + 1);
        for (int offset = first; offset <= last; offset++) {
            addresses.add(toInetAddress(network + offset));
        }
        return addresses;
    }

    @Override
    public String toString() {
        return toInetAddress(network).getHostAddress() + "/" + prefix;
    }
}
