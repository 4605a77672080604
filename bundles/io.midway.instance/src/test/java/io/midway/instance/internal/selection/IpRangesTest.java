package io.midway.instance.internal.selection;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.junit.Test;

/** Table-driven tests of {@link IpRanges}: the accepted shapes, matching, specificity and the error messages. */
public class IpRangesTest {

    /** One lookup: the agent's entries, an address, the narrowest range expected to hold it (null: none). */
    private record Lookup(String name, List<String> entries, String ip, String narrowest, long size) {
    }

    private static final List<Lookup> LOOKUPS = List.of(
            new Lookup("CIDR /8 holds", List.of("10.0.0.0/8"), "10.200.3.4", "10.0.0.0/8", 16_777_216),
            new Lookup("CIDR /8 first address", List.of("10.0.0.0/8"), "10.0.0.0", "10.0.0.0/8", 16_777_216),
            new Lookup("CIDR /8 last address", List.of("10.0.0.0/8"), "10.255.255.255", "10.0.0.0/8", 16_777_216),
            new Lookup("CIDR /8 just outside", List.of("10.0.0.0/8"), "11.0.0.0", null, 0),
            new Lookup("CIDR /32 is one host", List.of("192.168.1.7/32"), "192.168.1.7", "192.168.1.7/32", 1),
            new Lookup("CIDR /32 neighbour", List.of("192.168.1.7/32"), "192.168.1.8", null, 0),
            new Lookup("CIDR /0 holds everything", List.of("0.0.0.0/0"), "203.0.113.9", "0.0.0.0/0", 4_294_967_296L),
            new Lookup("host bits are ignored", List.of("10.1.2.3/16"), "10.1.255.1", "10.1.2.3/16", 65_536),
            new Lookup("bare address is a host", List.of("192.168.1.7"), "192.168.1.7", "192.168.1.7", 1),
            new Lookup("bare address other host", List.of("192.168.1.7"), "192.168.1.6", null, 0),
            new Lookup("range inclusive start", List.of("10.0.0.1-10.0.0.50"), "10.0.0.1", "10.0.0.1-10.0.0.50", 50),
            new Lookup("range inclusive end", List.of("10.0.0.1-10.0.0.50"), "10.0.0.50", "10.0.0.1-10.0.0.50", 50),
            new Lookup("range outside", List.of("10.0.0.1-10.0.0.50"), "10.0.0.51", null, 0),
            new Lookup("range across octets", List.of("10.0.0.250-10.0.1.5"), "10.0.1.2", "10.0.0.250-10.0.1.5", 12),
            new Lookup("range of one", List.of("10.0.0.9-10.0.0.9"), "10.0.0.9", "10.0.0.9-10.0.0.9", 1),
            new Lookup("blanks around parts", List.of(" 10.0.0.1 - 10.0.0.3 "), "10.0.0.2", "10.0.0.1 - 10.0.0.3", 3),
            new Lookup("narrowest of nested", List.of("10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24"), "10.1.2.3",
                    "10.1.2.0/24", 256),
            new Lookup("narrowest, range beats CIDR", List.of("10.1.0.0/16", "10.1.2.1-10.1.2.10"), "10.1.2.3",
                    "10.1.2.1-10.1.2.10", 10),
            new Lookup("only the holding one counts", List.of("10.1.2.0/24", "10.0.0.0/8"), "10.9.9.9", "10.0.0.0/8",
                    16_777_216),
            new Lookup("none of several", List.of("10.0.0.0/8", "172.16.0.0/12"), "192.168.0.1", null, 0),
            new Lookup("IPv6 CIDR holds", List.of("2001:db8::/32"), "2001:db8:1::5", "2001:db8::/32", -32),
            new Lookup("IPv6 CIDR outside", List.of("2001:db8::/32"), "2001:db9::1", null, 0),
            new Lookup("IPv6 address is a host", List.of("2001:db8::1"), "2001:db8:0:0::1", "2001:db8::1", 1),
            new Lookup("IPv6 range", List.of("2001:db8::1-2001:db8::ff"), "2001:db8::10", "2001:db8::1-2001:db8::ff",
                    255),
            new Lookup("IPv4 never in IPv6", List.of("::/0"), "10.0.0.1", null, 0),
            new Lookup("IPv6 never in IPv4", List.of("0.0.0.0/0"), "::1", null, 0),
            new Lookup("no ranges", List.of(), "10.0.0.1", null, 0));

    @Test
    public void lookups() {
        for (Lookup c : LOOKUPS) {
            IpRanges ranges = IpRanges.parse(c.entries());
            IpRanges.Address ip = IpRanges.parseAddress(c.ip());
            Optional<IpRanges.Range> match = ranges.narrowestMatch(ip);
            assertEquals(c.name() + ": contains", c.narrowest() != null, ranges.contains(c.ip()));
            assertEquals(c.name() + ": narrowest", Optional.ofNullable(c.narrowest()), match.map(IpRanges.Range::text));
            if (c.narrowest() != null) {
                // A negative size stands for 2^-size (IPv6 blocks do not fit a long).
                BigInteger size = c.size() < 0 ? BigInteger.TWO.pow(128 + (int) c.size())
                        : BigInteger.valueOf(c.size());
                assertEquals(c.name() + ": size", size, match.get().size());
            }
        }
    }

    /** One bad ip_ranges list and the message it must give. */
    private record Bad(String name, List<String> entries, String message) {
    }

    private static final String SHAPES = "is not a CIDR block (a.b.c.d/n) or a range (a.b.c.d-e.f.g.h)";

    private static final List<Bad> BAD = List.of(
            new Bad("octet over 255", List.of("10.0.0.0/8", "10.0.0.300/8"), "ip_ranges[1] '10.0.0.300/8' " + SHAPES),
            new Bad("prefix over 32", List.of("10.0.0.0/33"),
                    "ip_ranges[0] '10.0.0.0/33' has prefix /33, over 32 (an IPv4 prefix is 0 to 32)"),
            new Bad("IPv6 prefix over 128", List.of("2001:db8::/129"),
                    "ip_ranges[0] '2001:db8::/129' has prefix /129, over 128 (an IPv6 prefix is 0 to 128)"),
            new Bad("start after end", List.of("10.0.0.9-10.0.0.1"),
                    "ip_ranges[0] '10.0.0.9-10.0.0.1' starts after it ends; write the lower address first"),
            new Bad("mixed families", List.of("10.0.0.1-::1"),
                    "ip_ranges[0] '10.0.0.1-::1' mixes IPv4 and IPv6; both ends must be of one family"),
            new Bad("host name", List.of("db.example.com"), "ip_ranges[0] 'db.example.com' " + SHAPES),
            new Bad("three octets", List.of("10.0.0/8"), "ip_ranges[0] '10.0.0/8' " + SHAPES),
            new Bad("prefix not a number", List.of("10.0.0.0/x"), "ip_ranges[0] '10.0.0.0/x' " + SHAPES),
            new Bad("negative prefix", List.of("10.0.0.0/-1"), "ip_ranges[0] '10.0.0.0/-1' " + SHAPES),
            new Bad("empty prefix", List.of("10.0.0.0/"), "ip_ranges[0] '10.0.0.0/' " + SHAPES),
            new Bad("half a range", List.of("10.0.0.1-"), "ip_ranges[0] '10.0.0.1-' " + SHAPES),
            new Bad("wildcard", List.of("10.0.0.*"), "ip_ranges[0] '10.0.0.*' " + SHAPES),
            new Bad("bad IPv6", List.of("2001:db8:::1/64"), "ip_ranges[0] '2001:db8:::1/64' " + SHAPES),
            new Bad("IPv6 zone", List.of("fe80::1%eth0"), "ip_ranges[0] 'fe80::1%eth0' " + SHAPES),
            new Bad("blank entry", List.of("10.0.0.0/8", " "),
                    "ip_ranges[1] is empty; use a CIDR block (a.b.c.d/n), a range (a.b.c.d-e.f.g.h) or an address (a.b.c.d)"),
            new Bad("null entry", Arrays.asList("10.0.0.0/8", null, "10.0.0.1"),
                    "ip_ranges[1] is empty; use a CIDR block (a.b.c.d/n), a range (a.b.c.d-e.f.g.h) or an address (a.b.c.d)"));

    @Test
    public void badEntriesNameTheEntryAndWhatIsAccepted() {
        for (Bad c : BAD) {
            IllegalArgumentException e = assertThrows(c.name(), IllegalArgumentException.class,
                    () -> IpRanges.parse(c.entries()));
            assertEquals(c.name(), c.message(), e.getMessage());
        }
    }

    @Test
    public void badTargetAddresses() {
        for (String ip : List.of("10.1.2", "10.1.2.256", "host.example.com", "10.1.2.3/32", "", "::g")) {
            IllegalArgumentException e = assertThrows(ip, IllegalArgumentException.class,
                    () -> IpRanges.parseAddress(ip));
            assertEquals(ip, "ip '" + ip + "' is not an IPv4 address (a.b.c.d) or an IPv6 address", e.getMessage());
        }
    }

    @Test
    public void nullOrEmptyListIsNoRanges() {
        assertTrue(IpRanges.parse(null).isEmpty());
        assertTrue(IpRanges.parse(List.of()).isEmpty());
        assertEquals(List.of("10.0.0.0/8", "10.0.0.1-10.0.0.2"),
                IpRanges.parse(List.of(" 10.0.0.0/8 ", "10.0.0.1-10.0.0.2")).ranges().stream()
                        .map(IpRanges.Range::text).toList());
    }
}
