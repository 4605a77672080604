package com.example.midway.dns;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import io.midway.testing.probe.MidwayPaxExam;
import io.midway.testing.probe.ProbeHarness;
import io.midway.testing.probe.ProbeOutcome;
import io.midway.testing.probe.ProbeServices;

/** The built bundle (target/example-probe-*.jar) in a real Felix with SCR, as in the agent. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DnsLookupProbeIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] configuration() {
        return new Option[] {MidwayPaxExam.probeRuntime(), MidwayPaxExam.projectBundle()};
    }

    @Test
    public void theBundleIsActiveAndItsProbeAnswersTheTopic() throws Exception {
        Bundle bundle = Arrays.stream(context.getBundles())
                .filter(b -> "example-probe".equals(b.getSymbolicName())).findFirst().orElseThrow();
        assertEquals(Bundle.ACTIVE, bundle.getState());

        ProbeOutcome outcome = ProbeServices.run(context, ProbeHarness.topic("DNSLookup").payload("{\"names\":[\"localhost\"]}"));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) outcome.assertProcessed().get("results");
        List<?> addresses = (List<?>) results.get(0).get("addresses");
        assertTrue("localhost gave " + addresses, addresses.contains("127.0.0.1") || addresses.contains("0:0:0:0:0:0:0:1"));
        assertEquals("payload.names is missing or empty: give at least one, each a host name such as db01.example.com.",
                ProbeServices.run(context, ProbeHarness.topic("DNSLookup")).errorString());
    }
}
