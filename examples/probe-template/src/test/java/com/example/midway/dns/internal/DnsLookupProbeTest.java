package com.example.midway.dns.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Test;

import io.midway.testing.probe.ProbeHarness;
import io.midway.testing.probe.ProbeOutcome;

/** The probe without OSGi, run by ProbeHarness as the agent would run it. */
public class DnsLookupProbeTest {

    private final DnsLookupProbe probe = new DnsLookupProbe();
    private final ProbeHarness dns = ProbeHarness.topic(DnsLookupProbe.TOPIC);

    @After
    public void stop() {
        probe.stop();
    }

    @Test
    public void localhostResolvesToALoopbackAddress() throws Exception {
        ProbeOutcome outcome = dns.payload("{\"names\":[\"localhost\", \"127.0.0.1\"]}").run(probe);

        List<Map<String, Object>> results = results(outcome);
        assertEquals("localhost", results.get(0).get("name"));
        List<?> addresses = (List<?>) results.get(0).get("addresses");
        assertTrue("localhost gave " + addresses, addresses.contains("127.0.0.1") || addresses.contains("0:0:0:0:0:0:0:1"));
        assertEquals(Map.of("name", "127.0.0.1", "addresses", List.of("127.0.0.1")), results.get(1));
    }

    @Test
    public void badPayloadsAreErrorsNamingTheField() throws Exception {
        assertEquals("payload.names is missing or empty: give at least one, each a host name such as db01.example.com.",
                dns.payload("{}").runExpectingError(probe));
        assertEquals("payload.names must be a list of strings, not the number 5: each is a host name such as db01.example.com.",
                dns.payload("{\"names\":5}").runExpectingError(probe));
        assertEquals("payload.names[1] is the string \"\": it must be a host name such as db01.example.com.",
                dns.payload("{\"names\":[\"localhost\",\"\"]}").runExpectingError(probe));
        assertEquals("payload.timeout_ms is the number 0: it must be a whole number of milliseconds from 1 to 60000 (default 5000).",
                dns.payload("{\"names\":[\"localhost\"],\"timeout_ms\":0}").runExpectingError(probe));
        assertEquals("payload.names has 101 names: at most 100.",
                dns.payload(Map.of("names", Collections.nCopies(101, "localhost"))).runExpectingError(probe));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(ProbeOutcome outcome) {
        return (List<Map<String, Object>>) outcome.assertProcessed().get("results");
    }
}
