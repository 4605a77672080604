package io.midway.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.inject.Inject;

import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.api.agent.MidAgent;
import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeRequest;
import io.midway.api.probe.ProbeResult;

/**
 * Work travels from the instance's ECC queue to a probe and back: a probe registered and removed
 * at run time, the real TCPScan probe, and the TCPScan bundle stopped and started at run time.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ProbeDispatchIT {

    private static final String ECHO_TOPIC = "EchoTest";
    private static final String TCP_TOPIC = "TCPScan";
    private static final String TCP_BUNDLE = "io.midway.probe.tcp";

    @Inject
    private BundleContext context;

    @Inject
    private MidAgent agent;

    private MidwayFramework midway;

    /** @return the framework: instance and agent together */
    @Configuration
    public Option[] configuration() {
        return MidwayExamOptions.agentAndInstance("itest-probes");
    }

    @Before
    public void agentIsUp() {
        midway = new MidwayFramework(context);
        midway.awaitAgentUp();
    }

    @Test
    public void probeRegisteredAtRunTimeGetsWorkAndIsGoneWhenUnregistered() throws Exception {
        List<ProbeRequest> received = new CopyOnWriteArrayList<>();
        Probe echo = request -> {
            received.add(request);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("echo", request.payload());
            result.put("answered_by", "itest echo probe");
            return ProbeResult.of(result);
        };
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(Probe.TOPIC_PROPERTY, ECHO_TOPIC);
        ServiceRegistration<Probe> registration = context.registerService(Probe.class, echo, properties);
        try {
            awaitAgentProbes(ECHO_TOPIC, true);

            ObjectNode payload = InstanceAdminClient.object();
            payload.put("message", "hello from the instance");
            payload.put("count", 42);
            payload.putArray("items").add("a").add("b");
            JsonNode output = midway.instance().insertOutput(midway.agentName(), ECHO_TOPIC, payload);
            String sysId = output.path("sys_id").asText();
            assertEquals("output record " + output, "output", output.path("queue").asText());

            JsonNode input = midway.instance().awaitInput(sysId);
            assertEquals("input " + input, "processed", input.path("state").asText());
            assertEquals("input " + input, ECHO_TOPIC, input.path("topic").asText());
            ObjectNode expected = InstanceAdminClient.object();
            expected.set("echo", payload);
            expected.put("answered_by", "itest echo probe");
            assertEquals("the input carries the payload the probe returned", expected, payloadObject(input));

            assertEquals("the probe ran once", 1, received.size());
            ProbeRequest request = received.get(0);
            assertEquals(sysId, request.sysId());
            assertEquals(ECHO_TOPIC, request.topic());
            assertEquals("hello from the instance", request.payload().get("message"));
            assertEquals(42, ((Number) request.payload().get("count")).intValue());
            assertEquals(List.of("a", "b"), request.payload().get("items"));
        } finally {
            registration.unregister();
        }

        awaitAgentProbes(ECHO_TOPIC, false);
        JsonNode output = midway.instance().insertOutput(midway.agentName(), ECHO_TOPIC, InstanceAdminClient.object());
        JsonNode input = midway.instance().awaitInput(output.path("sys_id").asText());
        assertEquals("input " + input, "error", input.path("state").asText());
        String error = input.path("error_string").asText();
        assertTrue("error_string names the missing probe: " + error,
                error.toLowerCase().contains("no probe for topic") && error.contains(ECHO_TOPIC));
        assertEquals("the unregistered probe got no more work", 1, received.size());
    }

    @Test
    public void tcpScanReportsOpenAndClosedPorts() throws Exception {
        awaitAgentProbes(TCP_TOPIC, true);
        assertTcpScanWorks();
    }

    @Test
    public void tcpScanFailsWhileItsBundleIsStoppedAndWorksAfterRestart() throws Exception {
        Bundle tcp = midway.bundle(TCP_BUNDLE);
        awaitAgentProbes(TCP_TOPIC, true);
        tcp.stop();
        try {
            assertEquals(Bundle.RESOLVED, tcp.getState());
            awaitAgentProbes(TCP_TOPIC, false);
            ObjectNode payload = InstanceAdminClient.object();
            payload.put("host", "127.0.0.1");
            payload.putArray("ports").add(9);
            JsonNode output = midway.instance().insertOutput(midway.agentName(), TCP_TOPIC, payload);
            JsonNode input = midway.instance().awaitInput(output.path("sys_id").asText());
            assertEquals("input " + input, "error", input.path("state").asText());
            String error = input.path("error_string").asText();
            assertTrue("error_string names the missing probe: " + error,
                    error.toLowerCase().contains("no probe for topic") && error.contains(TCP_TOPIC));
        } finally {
            tcp.start();
        }
        assertEquals(Bundle.ACTIVE, tcp.getState());
        awaitAgentProbes(TCP_TOPIC, true);
        assertTcpScanWorks();
    }

    /** Scans a port the test listens on and a port nobody listens on. */
    private void assertTcpScanWorks() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        int closedPort;
        try (ServerSocket closed = new ServerSocket(0, 1, loopback)) {
            closedPort = closed.getLocalPort();
        }
        try (ServerSocket open = new ServerSocket(0, 50, loopback)) {
            int openPort = open.getLocalPort();
            ObjectNode payload = InstanceAdminClient.object();
            payload.put("host", "127.0.0.1");
            payload.putArray("ports").add(openPort).add(closedPort);
            payload.put("timeout_ms", 2000);
            JsonNode output = midway.instance().insertOutput(midway.agentName(), TCP_TOPIC, payload);
            JsonNode input = midway.instance().awaitInput(output.path("sys_id").asText());

            assertEquals("input " + input, "processed", input.path("state").asText());
            JsonNode hosts = payloadObject(input).path("hosts");
            assertEquals("one host scanned: " + input, 1, hosts.size());
            JsonNode host = hosts.get(0);
            assertEquals("127.0.0.1", host.path("host").asText());
            assertEquals("open ports: " + host, List.of(openPort), ints(host.path("open")));
            assertEquals("closed ports: " + host, List.of(closedPort), ints(host.path("closed")));
        }
    }

    /** Waits until the agent lists (or no longer lists) a probe topic. */
    private void awaitAgentProbes(String topic, boolean present) {
        Await.until("agent " + (present ? "lists" : "no longer lists") + " probe " + topic,
                () -> Arrays.asList(agent.status().probes),
                probes -> probes.contains(topic) == present);
    }

    /** The input's payload as a JSON object (the instance may hand it back as JSON text). */
    private static JsonNode payloadObject(JsonNode input) throws IOException {
        JsonNode payload = input.path("payload");
        return payload.isTextual() ? new ObjectMapper().readTree(payload.asText()) : payload;
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> values = new ArrayList<>();
        array.forEach(n -> values.add(n.asInt()));
        return values;
    }
}
