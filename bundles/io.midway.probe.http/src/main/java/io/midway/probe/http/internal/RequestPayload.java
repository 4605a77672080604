package io.midway.probe.http.internal;

import static io.midway.api.probe.ProbePayload.wholeNumber;
import static io.midway.api.probe.ProbePayload.describe;
import static io.midway.api.probe.ProbePayload.shorten;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;

/**
 * The payload of an HTTPRequest record, checked: every problem is a {@link ProbeException} that
 * says which field is wrong and what is accepted.
 */
final class RequestPayload {

    static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    static final int DEFAULT_TIMEOUT_MS = 30_000;
    static final int MAX_TIMEOUT_MS = 300_000;
    static final int DEFAULT_MAX_BYTES = 1 << 20;
    static final int MAX_MAX_BYTES = 20 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    final String method;
    final URI uri;
    final Map<String, List<String>> headers;
    final byte[] body;
    final String credential;
    final int timeoutMs;
    final int maxBytes;

    private RequestPayload(String method, URI uri, Map<String, List<String>> headers, byte[] body, String credential, int timeoutMs,
            int maxBytes) {
        this.method = method;
        this.uri = uri;
        this.headers = headers;
        this.body = body;
        this.credential = credential;
        this.timeoutMs = timeoutMs;
        this.maxBytes = maxBytes;
    }

    static RequestPayload from(ProbeRequest request) throws ProbeException {
        Map<String, Object> payload = request.payload();
        String method = parseMethod(payload.get("method"));
        URI uri = parseUrl(payload.get("url"));
        Map<String, List<String>> headers = parseHeaders(payload.get("headers"));
        byte[] body = parseBody(payload.get("body"), payload.get("body_encoding"), headers);
        String credential = parseCredential(payload.get("credential"));
        int timeoutMs = wholeNumberIn(payload.get("timeout_ms"), "timeout_ms", 1, MAX_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, "milliseconds");
        int maxBytes = wholeNumberIn(payload.get("max_bytes"), "max_bytes", 0, MAX_MAX_BYTES, DEFAULT_MAX_BYTES, "bytes");
        return new RequestPayload(method, uri, headers, body, credential, timeoutMs, maxBytes);
    }

    private static String parseMethod(Object value) throws ProbeException {
        if (value == null) {
            return "GET";
        }
        if (!(value instanceof String) || !METHODS.contains(((String) value).trim().toUpperCase(Locale.ROOT))) {
            throw new ProbeException("Bad payload.method " + describe(value) + ": use one of " + String.join(", ", METHODS)
                    + " (default GET).");
        }
        return ((String) value).trim().toUpperCase(Locale.ROOT);
    }

    private static URI parseUrl(Object value) throws ProbeException {
        String accepted = "url must be an absolute http or https URL, e.g. https://cmdb.example.com/api/hosts";
        if (value == null || (value instanceof String && ((String) value).isBlank())) {
            throw new ProbeException("payload.url is missing: " + accepted + ".");
        }
        if (!(value instanceof String)) {
            throw new ProbeException("payload.url must be a string, not " + describe(value) + ": " + accepted + ".");
        }
        String text = ((String) value).trim();
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ProbeException("Bad payload.url '" + shorten(text) + "': " + e.getReason() + " at index " + e.getIndex() + "; "
                    + accepted + ".");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ProbeException("Bad payload.url '" + shorten(text) + "': " + accepted + ".");
        }
        if (uri.getRawUserInfo() != null) {
            throw new ProbeException("Bad payload.url: it holds a user name or password; name a credential in payload.credential instead.");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new ProbeException("Bad payload.url '" + shorten(text) + "': no host (or an invalid host name); " + accepted + ".");
        }
        return uri;
    }

    private static Map<String, List<String>> parseHeaders(Object value) throws ProbeException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (value == null) {
            return headers;
        }
        if (!(value instanceof Map)) {
            throw new ProbeException("payload.headers must be an object of header names to values, e.g. {\"Accept\":\"application/json\"}, not "
                    + describe(value) + ".");
        }
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
            String name = String.valueOf(entry.getKey());
            Object values = entry.getValue();
            List<String> list = new ArrayList<>();
            if (values instanceof List) {
                for (Object one : (List<?>) values) {
                    list.add(headerValue(name, one));
                }
            } else {
                list.add(headerValue(name, values));
            }
            headers.put(name, list);
        }
        return headers;
    }

    private static String headerValue(String name, Object value) throws ProbeException {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        throw new ProbeException("payload.headers['" + shorten(name) + "'] must be a string or a list of strings, not " + describe(value) + ".");
    }

    private static byte[] parseBody(Object value, Object encoding, Map<String, List<String>> headers) throws ProbeException {
        if (encoding != null && !"base64".equals(encoding) && !"text".equals(encoding)) {
            throw new ProbeException("payload.body_encoding is " + describe(encoding) + ": use \"base64\" for a binary body, or leave it out.");
        }
        if (value == null) {
            return new byte[0];
        }
        if (value instanceof String) {
            if ("base64".equals(encoding)) {
                try {
                    return Base64.getMimeDecoder().decode((String) value);
                } catch (IllegalArgumentException e) {
                    throw new ProbeException("payload.body is not valid base64 (payload.body_encoding is \"base64\"): " + e.getMessage() + ".");
                }
            }
            return ((String) value).getBytes(StandardCharsets.UTF_8);
        }
        if (value instanceof Map || value instanceof List) {
            if (headers.keySet().stream().noneMatch("content-type"::equalsIgnoreCase)) {
                headers.put("Content-Type", new ArrayList<>(List.of("application/json")));
            }
            try {
                return JSON.writeValueAsBytes(value);
            } catch (JsonProcessingException e) {
                throw new ProbeException("payload.body cannot be written as JSON: " + e.getOriginalMessage() + ".");
            }
        }
        throw new ProbeException("payload.body must be a string (sent as UTF-8), a JSON object or list (sent as JSON), or base64 "
                + "text with \"body_encoding\":\"base64\"; not " + describe(value) + ".");
    }

    private static String parseCredential(Object value) throws ProbeException {
        if (value == null || (value instanceof String && ((String) value).isBlank())) {
            return null;
        }
        if (!(value instanceof String)) {
            throw new ProbeException("payload.credential must be the sys_id or name of a credential, not " + describe(value) + ".");
        }
        return ((String) value).trim();
    }

    private static int wholeNumberIn(Object value, String field, int min, int max, int fallback, String unit) throws ProbeException {
        if (value == null) {
            return fallback;
        }
        Long number = wholeNumber(value);
        if (number == null || number < min || number > max) {
            throw new ProbeException("payload." + field + " is " + describe(value) + ": it must be a whole number of " + unit + " from "
                    + min + " to " + max + " (default " + fallback + ").");
        }
        return number.intValue();
    }
}
