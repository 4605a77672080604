package io.midway.wire;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class LoopbackTest {

    @Test
    public void thisMachineByNameOrLiteralAddress() {
        for (String local : new String[] {"localhost", "LOCALHOST", "127.0.0.1", "127.8.9.10", "::1",
            "0:0:0:0:0:0:0:1", "[::1]"}) {
            assertTrue(local, Loopback.isLoopback(local));
        }
    }

    @Test
    public void anotherHostOrANameIsNot() {
        for (String other : new String[] {"10.0.0.1", "192.168.7.7", "fe80::1", "localhost.example.invalid",
            "localhost.evil.example", "instance.example.net", "", "not an address"}) {
            assertFalse(other, Loopback.isLoopback(other));
        }
        assertFalse(Loopback.isLoopback(null));
    }
}
