package io.midway.testing.probe;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;
import io.midway.api.probe.ProbeResult;

public class ProbeHarnessTest {

    private final GreetingProbe probe = new GreetingProbe();
    private final ProbeHarness greeting = ProbeHarness.topic("Greeting");

    @Test
    public void successIsProcessedWithThePayloadReadBackFromJson() throws Exception {
        ProbeOutcome outcome = greeting.payload("{\"name\":\"world\"}").source("10.0.0.5").run(probe);

        assertEquals("processed", outcome.state());
        assertTrue(outcome.isProcessed());
        assertNull(outcome.errorString());
        assertEquals("hello world", outcome.payload().get("greeting"));
        assertEquals("10.0.0.5", outcome.payload().get("source"));
        assertEquals("{\"greeting\":\"hello world\",\"types\":{\"name\":\"String\"},\"source\":\"10.0.0.5\"}",
                outcome.payloadJson());
        assertEquals(outcome.payload(), outcome.assertProcessed());
    }

    @Test
    public void probeExceptionBecomesAnErrorWithItsMessage() throws Exception {
        ProbeOutcome outcome = greeting.payload("{\"name\":5}").run(probe);

        assertEquals("error", outcome.state());
        assertEquals("payload.name must be a string, not the number 5: it must be who to greet.", outcome.errorString());
        assertEquals(Map.of(), outcome.payload());
        assertEquals("{}", outcome.payloadJson());
        AssertionError notProcessed = assertThrows(AssertionError.class, outcome::assertProcessed);
        assertTrue(notProcessed.getMessage(), notProcessed.getMessage().contains(outcome.errorString()));

        assertEquals("payload.name is missing: it must be who to greet.", greeting.runExpectingError(probe));
    }

    @Test
    public void aProbeExceptionWithoutAMessageIsReportedAsTheAgentDoes() throws Exception {
        String error = greeting.runExpectingError(request -> {
            throw new ProbeException(" ");
        });
        assertEquals("Probe for topic 'Greeting' failed without a message", error);
    }

    @Test
    public void runExpectingErrorFailsWhenTheProbeAnswers() {
        AssertionError e = assertThrows(AssertionError.class, () -> greeting.payload("{\"name\":\"x\"}").runExpectingError(probe));
        assertTrue(e.getMessage(), e.getMessage().contains("processed") && e.getMessage().contains("hello x"));
    }

    @Test
    public void numbersArriveAsTheAgentsMapperTypesThem() throws Exception {
        Map<String, Object> types = types(greeting.payload(
                "{\"name\":\"n\",\"small\":5,\"large\":5000000000,\"huge\":123456789012345678901234567890,"
                        + "\"fraction\":1.5,\"whole_double\":2.0,\"flag\":true,\"list\":[1],\"object\":{},\"nothing\":null}")
                .run(probe));
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("name", "String");
        expected.put("small", "Integer");
        expected.put("large", "Long");
        expected.put("huge", "BigInteger");
        expected.put("fraction", "Double");
        expected.put("whole_double", "Double");
        expected.put("flag", "Boolean");
        expected.put("list", "ArrayList");
        expected.put("object", "LinkedHashMap");
        expected.put("nothing", "null");
        assertEquals(expected, types);
    }

    @Test
    public void aMapPayloadGoesThroughJsonSoALongArrivesAsAnInteger() throws Exception {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("name", "m");
        payload.put("timeout_ms", 500L);
        payload.put("ratio", 0.5f);
        payload.put("ids", List.of(1L, 2L));
        Map<String, Object> types = types(greeting.payload(payload).run(probe));
        assertEquals("Integer", types.get("timeout_ms"));
        assertEquals("Double", types.get("ratio"));

        ProbeRequest request = greeting.payload(payload).request();
        assertEquals(List.of(1, 2), request.payload().get("ids"));
        assertEquals(32, request.sysId().length());
        assertNotEquals(request.sysId(), greeting.request().sysId());
    }

    @Test
    public void resultNumbersAreReadBackAsTheInstanceSeesThem() throws Exception {
        ProbeOutcome outcome = greeting.payload("{\"name\":\"b\",\"extra\":\"big\"}").run(probe);
        assertEquals(5_000_000_000L, outcome.payload().get("extra"));
    }

    @Test
    public void aResultValueTheAgentCannotWriteFailsClearly() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> greeting.payload("{\"name\":\"x\",\"extra\":\"empty_object\"}").run(probe));
        assertTrue(e.getMessage(), e.getMessage().startsWith(
                "Probe for topic 'Greeting' returned a payload that cannot be written as JSON (the agent answers error)"));
    }

    @Test
    public void aResultValueThatIsNotPlainJsonFailsNamingWhereItIs() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> greeting.payload("{\"name\":\"x\",\"extra\":\"address\"}").run(probe));
        assertTrue(e.getMessage(), e.getMessage().contains("payload.extra is a java.net.Inet4Address"));

        AssertionError key = assertThrows(AssertionError.class,
                () -> greeting.run(request -> ProbeResult.of(Map.of("ports", Map.of(22, "open")))));
        assertTrue(key.getMessage(), key.getMessage().contains("payload.ports has the key 22 of type java.lang.Integer"));

        AssertionError nested = assertThrows(AssertionError.class,
                () -> greeting.run(request -> ProbeResult.of(Map.of("hosts", List.of(Map.of("seen", java.time.Instant.EPOCH))))));
        // Jackson has no java.time support in the agent's mapper: the agent itself fails on it.
        assertTrue(nested.getMessage(), nested.getMessage().contains("cannot be written as JSON (the agent answers error)")
                && nested.getMessage().contains("java.time.Instant"));
    }

    @Test
    public void aNullResultFailsTheTest() {
        AssertionError e = assertThrows(AssertionError.class, () -> greeting.run(request -> null));
        assertTrue(e.getMessage(), e.getMessage().contains("returned no result"));
    }

    @Test
    public void otherExceptionsReachTheTest() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> greeting.run(request -> {
            throw new IllegalStateException("bug in the probe");
        }));
        assertEquals("bug in the probe", e.getMessage());
    }

    @Test
    public void aPayloadThatIsNotAJsonObjectIsATestMistake() {
        assertThrows(IllegalArgumentException.class, () -> greeting.payload("{\"name\":"));
        IllegalArgumentException array = assertThrows(IllegalArgumentException.class, () -> greeting.payload("[1,2]"));
        assertTrue(array.getMessage(), array.getMessage().contains("must be a JSON object"));
        assertThrows(IllegalArgumentException.class, () -> greeting.payload(Map.of("x", new Object())));
    }

    @Test
    public void theHarnessIsImmutable() throws Exception {
        ProbeHarness named = greeting.payload("{\"name\":\"a\"}");
        named.payload("{\"name\":\"b\"}").source("s");
        ProbeOutcome outcome = named.run(probe);
        assertEquals("hello a", outcome.payload().get("greeting"));
        assertEquals("", outcome.payload().get("source"));
        assertFalse(greeting.request().payload().containsKey("name"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> types(ProbeOutcome outcome) {
        return (Map<String, Object>) outcome.assertProcessed().get("types");
    }
}
