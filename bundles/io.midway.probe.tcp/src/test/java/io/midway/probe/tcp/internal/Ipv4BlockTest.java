package io.midway.probe.tcp.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.Inet4Address;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.Test;

public class Ipv4BlockTest {

    private static List<String> addresses(String cidr) {
        return Ipv4Block.parse(cidr).scanAddresses().stream().map(Inet4Address::getHostAddress).collect(Collectors.toList());
    }

    @Test
    public void slash24SkipsNetworkAndBroadcast() {
        List<String> all = addresses("10.1.2.0/24");
        assertEquals(254, all.size());
        assertEquals("10.1.2.1", all.get(0));
        assertEquals("10.1.2.254", all.get(253));
    }

    @Test
    public void slash30HasTwoUsableAddresses() {
        assertEquals(List.of("127.0.0.1", "127.0.0.2"), addresses("127.0.0.0/30"));
    }

    @Test
    public void slash31AndSlash32ScanEveryAddress() {
        assertEquals(List.of("192.168.7.4", "192.168.7.5"), addresses("192.168.7.4/31"));
        assertEquals(List.of("192.168.7.9"), addresses("192.168.7.9/32"));
    }

    @Test
    public void hostBitsAreIgnored() {
        assertEquals(List.of("10.0.0.5", "10.0.0.6"), addresses("10.0.0.7/30"));
        assertEquals("10.0.0.4/30", Ipv4Block.parse("10.0.0.7/30").toString());
    }

    @Test
    public void topOfTheAddressSpaceDoesNotOverflow() {
        List<String> all = addresses("255.255.255.0/24");
        assertEquals("255.255.255.1", all.get(0));
        assertEquals("255.255.255.254", all.get(all.size() - 1));
    }

    @Test
    public void rejectsBlocksLargerThanSlash24() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Block.parse("10.0.0.0/23"));
        assertTrue(e.getMessage(), e.getMessage().contains("512 addresses") && e.getMessage().contains("/24 to /32"));
    }

    @Test
    public void rejectsMalformedBlocks() {
        for (String bad : new String[] {"10.0.0.0/", "10.0.0.0/33", "10.0.0/24", "10.0.0.300/24", "10.0.0.0/x", "10.0.0.0/24/1",
                "fd00::/120", "10.0.0.0/-1"}) {
            assertThrows(bad, IllegalArgumentException.class, () -> Ipv4Block.parse(bad));
        }
    }

    @Test
    public void parsesOnlyStrictDottedQuads() {
        assertEquals(0x7f000001, Ipv4Block.parseAddress("127.0.0.1"));
        for (String bad : new String[] {"127.1", "127.0.0.1.", "1.2.3.4.5", "256.0.0.1", "1..2.3", "0x7f.0.0.1", ""}) {
            assertThrows(bad, IllegalArgumentException.class, () -> Ipv4Block.parseAddress(bad));
        }
    }
}
