package io.midway.instance.internal.selection;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code ip_ranges} of one agent, parsed and validated.
 *
 * <p>Each entry is one of:
 * <ul>
 * <li>a CIDR block, {@code 10.0.0.0/8} or {@code 192.168.1.7/32} (host bits after the prefix are
 * ignored: {@code 10.1.2.3/16} is {@code 10.1.0.0/16});</li>
 * <li>a bare address, {@code 192.168.1.7}, meaning that single host;</li>
 * <li>an inclusive range, {@code 10.0.0.1-10.0.0.50} (start not after end);</li>
 * <li>the same three in IPv6 ({@code 2001:db8::/32}, {@code 2001:db8::1},
 * {@code 2001:db8::1-2001:db8::ff}).</li>
 * </ul>
 * Addresses are literals only; no host name is ever looked up. An IPv4 address never falls in an
 * IPv6 block and vice versa.
 *
 * <p>{@link #narrowestMatch(Address)} tells how specific a match is: the smallest block or range
 * holding an address, so "best match" can prefer the narrowest.
 */
public final class IpRanges {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern PREFIX = Pattern.compile("\\d{1,3}");
    private static final IpRanges NONE = new IpRanges(List.of());

    private final List<Range> ranges;

    private IpRanges(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /** @return no ranges at all */
    public static IpRanges none() {
        return NONE;
    }

    /**
     * Parses an agent's {@code ip_ranges}.
     *
     * @param entries the entries as stored or sent in a PATCH; {@code null} means none
     * @return the parsed ranges, in the given order
     * @throws IllegalArgumentException naming the first bad entry by index and text and what is
     *     accepted, e.g. {@code ip_ranges[1] '10.0.0.300/8' is not a CIDR block (a.b.c.d/n) or a
     *     range (a.b.c.d-e.f.g.h)}
     */
    public static IpRanges parse(List<String> entries) {
        if (entries == null || entries.isEmpty()) {
            return NONE;
        }
        List<Range> parsed = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            parsed.add(parseEntry(i, entries.get(i)));
        }
        return new IpRanges(parsed);
    }

    /**
     * Parses one target address (IPv4 dotted quad or IPv6 literal).
     *
     * @param text the address
     * @return the address
     * @throws IllegalArgumentException when it is not an IPv4 or IPv6 literal
     */
    public static Address parseAddress(String text) {
        Address address = text == null ? null : toAddress(text.strip());
        if (address == null) {
            throw new IllegalArgumentException("ip '" + text + "' is not an IPv4 address (a.b.c.d) or an IPv6 address");
        }
        return address;
    }

    /** @return the ranges, in the order given */
    public List<Range> ranges() {
        return ranges;
    }

    /** @return whether there are no ranges */
    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /**
     * @param ip an address literal
     * @return whether any range holds it
     * @throws IllegalArgumentException when {@code ip} is not an address
     */
    public boolean contains(String ip) {
        return contains(parseAddress(ip));
    }

    /**
     * @param ip an address
     * @return whether any range holds it
     */
    public boolean contains(Address ip) {
        return narrowestMatch(ip).isPresent();
    }

    /**
     * @param ip an address
     * @return the smallest range holding it (the first given on equal size), or empty when none does
     */
    public Optional<Range> narrowestMatch(Address ip) {
        return ranges.stream().filter(r -> r.contains(ip)).min(Comparator.comparing(Range::size));
    }

    @Override
    public String toString() {
        return ranges.stream().map(Range::text).toList().toString();
    }

    private static Range parseEntry(int index, String entry) {
        String where = "ip_ranges[" + index + "] '" + entry + "'";
        if (entry == null || entry.isBlank()) {
            throw new IllegalArgumentException("ip_ranges[" + index + "] is empty; use a CIDR block (a.b.c.d/n), "
                    + "a range (a.b.c.d-e.f.g.h) or an address (a.b.c.d)");
        }
        String text = entry.strip();
        String shapes = where + " is not a CIDR block (a.b.c.d/n) or a range (a.b.c.d-e.f.g.h)";
        int slash = text.indexOf('/');
        int dash = text.indexOf('-');
        if (slash >= 0 && dash >= 0) {
            throw new IllegalArgumentException(shapes);
        }
        if (slash >= 0) {
            Address base = toAddress(text.substring(0, slash).strip());
            String prefixText = text.substring(slash + 1).strip();
            if (base == null || !PREFIX.matcher(prefixText).matches()) {
                throw new IllegalArgumentException(shapes);
            }
            int prefix = Integer.parseInt(prefixText);
            if (prefix > base.bits()) {
                throw new IllegalArgumentException(where + " has prefix /" + prefix + ", over " + base.bits()
                        + " (an " + base.family() + " prefix is 0 to " + base.bits() + ")");
            }
            BigInteger hostMask = BigInteger.ONE.shiftLeft(base.bits() - prefix).subtract(BigInteger.ONE);
            BigInteger first = base.value().andNot(hostMask);
            return new Range(text, base.bits(), first, first.or(hostMask));
        }
        if (dash >= 0) {
            Address start = toAddress(text.substring(0, dash).strip());
            Address end = toAddress(text.substring(dash + 1).strip());
            if (start == null || end == null) {
                throw new IllegalArgumentException(shapes);
            }
            if (start.bits() != end.bits()) {
                throw new IllegalArgumentException(where + " mixes IPv4 and IPv6; both ends must be of one family");
            }
            if (start.value().compareTo(end.value()) > 0) {
                throw new IllegalArgumentException(where + " starts after it ends; write the lower address first");
            }
            return new Range(text, start.bits(), start.value(), end.value());
        }
        Address single = toAddress(text);
        if (single == null) {
            throw new IllegalArgumentException(shapes);
        }
        return new Range(text, single.bits(), single.value(), single.value());
    }

    /** @return the address, or null when the text is not an IPv4 or IPv6 literal */
    private static Address toAddress(String text) {
        if (IPV4.matcher(text).matches()) {
            long value = 0;
            for (String octet : text.split("\\.")) {
                int n = Integer.parseInt(octet);
                if (n > 255) {
                    return null;
                }
                value = (value << 8) | n;
            }
            return new Address(text, 32, BigInteger.valueOf(value));
        }
        // Only a literal with ':' reaches InetAddress, which parses it without any name lookup.
        if (text.indexOf(':') >= 0 && IPV6_CHARS.matcher(text).matches()) {
            try {
                byte[] bytes = InetAddress.getByName(text).getAddress();
                return new Address(text, bytes.length * 8, new BigInteger(1, bytes));
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * A target address.
     *
     * @param text the address as given
     * @param bits 32 for IPv4, 128 for IPv6
     * @param value the address as an unsigned number
     */
    public record Address(String text, int bits, BigInteger value) {

        /** @return {@code IPv4} or {@code IPv6} */
        public String family() {
            return bits == 32 ? "IPv4" : "IPv6";
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * One block or range of addresses, both ends inclusive.
     *
     * @param text the entry as given (trimmed), for explanations
     * @param bits 32 for IPv4, 128 for IPv6
     * @param first the lowest address
     * @param last the highest address
     */
    public record Range(String text, int bits, BigInteger first, BigInteger last) {

        /**
         * @param ip an address
         * @return whether this range holds it (never across IPv4/IPv6)
         */
        public boolean contains(Address ip) {
            return ip.bits() == bits && first.compareTo(ip.value()) <= 0 && ip.value().compareTo(last) <= 0;
        }

        /** @return how many addresses it holds: the smaller, the more specific a match */
        public BigInteger size() {
            return last.subtract(first).add(BigInteger.ONE);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
