package io.midway.probe.http.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.midway.api.secret.SecretScrubber;
import io.midway.protocol.http.HttpExchange;

/** Turns an {@link HttpExchange} into the HTTPRequest result payload. */
final class ResponsePayload {

    private ResponsePayload() {
    }

    static Map<String, Object> of(HttpExchange exchange, SecretScrubber scrubber) {
        Map<String, Object> headers = new LinkedHashMap<>();
        exchange.headers().forEach((name, values) -> {
            List<String> clean = new ArrayList<>(values.size());
            values.forEach(v -> clean.add(scrubber.scrub(v)));
            headers.put(scrubber.scrub(name), clean);
        });
        byte[] body = scrubber.scrub(exchange.body());
        String contentType = exchange.firstHeader("Content-Type").orElse("");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("status", exchange.status());
        result.put("headers", headers);
        String text = isText(contentType) ? decode(body, charset(contentType), exchange.truncated()) : null;
        if (text != null || body.length == 0) {
            result.put("body", text == null ? "" : text);
        } else {
            result.put("body", Base64.getEncoder().encodeToString(body));
            result.put("body_encoding", "base64");
        }
        result.put("truncated", exchange.truncated());
        return result;
    }

    /** Text, JSON, XML, JavaScript and form data are text; anything else is base64. */
    static boolean isText(String contentType) {
        String type = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
        return type.startsWith("text/") || type.endsWith("/json") || type.endsWith("+json") || type.endsWith("/xml")
                || type.endsWith("+xml") || type.equals("application/javascript") || type.equals("application/x-www-form-urlencoded");
    }

    private static Charset charset(String contentType) {
        for (String parameter : contentType.split(";")) {
            String[] pair = parameter.trim().split("=", 2);
            if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("charset")) {
                try {
                    return Charset.forName(pair[1].trim().replace("\"", ""));
                } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                    return StandardCharsets.UTF_8;
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    /**
     * @return the text, or {@code null} when the bytes are not valid in that charset (then the
     *     body goes as base64); a character cut by truncation at the end is dropped
     */
    private static String decode(byte[] body, Charset charset, boolean truncated) {
        for (int cut = 0; cut <= (truncated ? Math.min(3, body.length) : 0); cut++) {
            try {
                return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(body, 0, body.length - cut)).toString();
            } catch (CharacterCodingException e) {
                // try without the last bytes (truncation), then fall back to base64
            }
        }
        return null;
    }
}
