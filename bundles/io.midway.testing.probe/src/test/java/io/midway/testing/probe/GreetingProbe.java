package io.midway.testing.probe;

import java.util.LinkedHashMap;
import java.util.Map;

import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbePayload;
import io.midway.api.probe.ProbeRequest;
import io.midway.api.probe.ProbeResult;

/**
 * A tiny probe for the kit's own tests: greets {@code payload.name}, reports the Java type of
 * every payload field it got, and can be told to return something that is not JSON.
 */
final class GreetingProbe implements Probe {

    @Override
    public ProbeResult run(ProbeRequest request) throws ProbeException {
        ProbePayload payload = ProbePayload.of(request);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("greeting", "hello " + payload.requiredText("name", "who to greet"));
        Map<String, Object> types = new LinkedHashMap<>();
        request.payload().forEach((field, value) -> types.put(field, value == null ? "null" : value.getClass().getSimpleName()));
        result.put("types", types);
        result.put("source", request.source());
        switch (payload.choice("extra", "none", "none", "empty_object", "address", "big")) {
            case "empty_object" -> result.put("extra", new Object());
            case "address" -> result.put("extra", java.net.InetAddress.getLoopbackAddress());
            case "big" -> result.put("extra", 5_000_000_000L);
            default -> {
            }
        }
        return ProbeResult.of(result);
    }
}
