package io.midway.api.probe;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class ProbePayloadTest {

    private static ProbePayload payload(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return ProbePayload.of(new ProbeRequest("abc", "T", "", "", map));
    }

    @Test
    public void requiredTextIsTrimmedAndMissingOrWrongTypeIsExplained() throws Exception {
        assertEquals("jdbc:h2:mem:x", payload("url", " jdbc:h2:mem:x ").requiredText("url", "a JDBC URL"));
        ProbeException missing = assertThrows(ProbeException.class, () -> payload().requiredText("url", "a JDBC URL"));
        assertEquals("payload.url is missing: it must be a JDBC URL.", missing.getMessage());
        ProbeException number = assertThrows(ProbeException.class, () -> payload("url", 5).requiredText("url", "a JDBC URL"));
        assertEquals("payload.url must be a string, not the number 5: it must be a JDBC URL.", number.getMessage());
    }

    @Test
    public void wholeNumbersAcceptIntegralJsonNumbersInRangeOnly() throws Exception {
        assertEquals(30_000, payload().wholeNumber("timeout_ms", 1, 300_000, 30_000, "milliseconds"));
        assertEquals(500, payload("timeout_ms", 500.0).wholeNumber("timeout_ms", 1, 300_000, 30_000, "milliseconds"));
        assertEquals(7, payload("n", new BigInteger("7")).wholeNumber("n", 1, 10, 1, "rows"));
        ProbeException fraction = assertThrows(ProbeException.class,
                () -> payload("timeout_ms", 1.5).wholeNumber("timeout_ms", 1, 300_000, 30_000, "milliseconds"));
        assertEquals("payload.timeout_ms is the number 1.5: it must be a whole number of milliseconds from 1 to 300000 (default 30000).",
                fraction.getMessage());
        assertThrows(ProbeException.class, () -> payload("n", new BigInteger("99999999999999999999")).wholeNumber("n", 1, 10, 1, "rows"));
        assertThrows(ProbeException.class, () -> payload("n", 1e30).wholeNumber("n", 1, 10, 1, "rows"));
        assertThrows(ProbeException.class, () -> payload("n", "5").wholeNumber("n", 1, 10, 1, "rows"));
        assertThrows(ProbeException.class, () -> payload("n", 0).wholeNumber("n", 1, 10, 1, "rows"));
    }

    @Test
    public void choicesListsBooleansAndNestedObjects() throws Exception {
        assertEquals("walk", payload("operation", "WALK").choice("operation", "get", "get", "walk"));
        assertEquals("get", payload().choice("operation", "get", "get", "walk"));
        ProbeException bad = assertThrows(ProbeException.class, () -> payload("operation", "set").choice("operation", "get", "get", "walk"));
        assertEquals("payload.operation is the string \"set\": use one of get, walk (default get).", bad.getMessage());

        assertEquals(List.of("1.3.6"), payload("oids", "1.3.6").textList("oids", true, "an OID"));
        assertEquals(List.of("a", "b"), payload("oids", List.of("a ", " b")).textList("oids", true, "an OID"));
        ProbeException element = assertThrows(ProbeException.class, () -> payload("oids", List.of("a", 3)).textList("oids", true, "an OID"));
        assertEquals("payload.oids[1] is the number 3: it must be an OID.", element.getMessage());
        assertThrows(ProbeException.class, () -> payload("oids", List.of()).textList("oids", true, "an OID"));
        assertTrue(payload().textList("oids", false, "an OID").isEmpty());

        assertTrue(payload("walk", true).bool("walk", false));
        assertFalse(payload().bool("walk", false));
        assertThrows(ProbeException.class, () -> payload("walk", "yes").bool("walk", false));

        ProbePayload auth = payload("auth", Map.of("user", "u")).object("auth");
        assertEquals("u", auth.requiredText("user", "a user name"));
        ProbeException nested = assertThrows(ProbeException.class, () -> auth.requiredText("protocol", "SHA or MD5"));
        assertEquals("payload.auth.protocol is missing: it must be SHA or MD5.", nested.getMessage());
        assertThrows(ProbeException.class, () -> payload("auth", "x").object("auth"));
        assertEquals(List.of(1, "a"), payload("parameters", List.of(1, "a")).list("parameters"));
    }

    @Test
    public void longValuesAreShortenedInMessages() {
        String huge = "x".repeat(500);
        assertTrue(ProbePayload.describe(huge).length() < 100);
    }
}
