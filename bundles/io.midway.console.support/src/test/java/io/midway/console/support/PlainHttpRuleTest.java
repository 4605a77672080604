package io.midway.console.support;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Optional;

import org.junit.Test;

public class PlainHttpRuleTest {

    @Test
    public void thisMachineMayAlwaysUsePlainHttpWithCredentials() {
        for (String local : new String[] {"127.0.0.1", "127.8.9.10", "::1", "0:0:0:0:0:0:0:1", "[::1]"}) {
            assertEquals(local, Optional.empty(), PlainHttpRule.refusal(false, local, true, false, "port 8443"));
        }
    }

    @Test
    public void anotherHostIsRefusedPlainHttpUnlessOpenedAndThenNeverWithCredentials() {
        String refused = PlainHttpRule.refusal(false, "10.1.2.3", false, false, "port 8443").orElseThrow();
        assertTrue(refused, refused.contains("this machine only") && refused.contains("port 8443"));
        assertEquals(Optional.empty(), PlainHttpRule.refusal(false, "10.1.2.3", false, true, "port 8443"));
        String credentials = PlainHttpRule.refusal(false, "192.168.7.7", true, true, null).orElseThrow();
        assertTrue(credentials, credentials.contains("credentials are not accepted over plain HTTP"));
        assertTrue(PlainHttpRule.refusal(false, "fe80::1", true, true, null).isPresent());
    }

    @Test
    public void httpsIsNotConcerned() {
        assertEquals(Optional.empty(), PlainHttpRule.refusal(true, "10.1.2.3", true, false, null));
    }

    @Test
    public void namesAndGarbageAreNotLoopback() {
        assertFalse("a name is not looked up", io.midway.wire.Loopback.isLoopback("localhost.evil.example"));
        assertFalse(io.midway.wire.Loopback.isLoopback(""));
        assertFalse(io.midway.wire.Loopback.isLoopback(null));
        assertFalse(io.midway.wire.Loopback.isLoopback("10.0.0.1"));
        assertTrue(io.midway.wire.Loopback.isLoopback("127.0.0.1"));
    }
}
