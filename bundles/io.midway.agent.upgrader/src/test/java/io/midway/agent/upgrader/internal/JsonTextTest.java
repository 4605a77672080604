package io.midway.agent.upgrader.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.fail;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class JsonTextTest {

    @Test
    public void roundTripsFlatObjectsWithEscapesAndNulls() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("reason", "core \"0.1.2\" did not start:\n\tUnable to resolve \\ x \u0001");
        a.put("finished", null);
        List<Map<String, String>> back = JsonText.readArray(JsonText.writeArray(List.of(a, Map.of("k", "v"))));
        assertEquals(2, back.size());
        assertEquals(a.get("reason"), back.get(0).get("reason"));
        assertNull(back.get(0).get("finished"));
        assertEquals(true, back.get(0).containsKey("finished"));
        assertEquals("v", back.get(1).get("k"));
        assertEquals(List.of(), JsonText.readArray(JsonText.writeArray(List.of())));
        assertEquals(Map.of("version", "0.1.1"), JsonText.readObject(JsonText.writeObject(Map.of("version", "0.1.1"))));
    }

    @Test
    public void refusesWhatIsNotAnArrayOfFlatObjects() {
        for (String bad : new String[] {"", "[", "{\"a\":\"b\"", "[{\"a\":1}]", "[{\"a\":\"b\"}] x"}) {
            try {
                JsonText.readArray(bad);
                fail("accepted " + bad);
            } catch (IllegalArgumentException expected) {
                // refused
            }
        }
    }
}
