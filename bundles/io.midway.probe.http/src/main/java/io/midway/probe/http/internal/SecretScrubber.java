package io.midway.probe.http.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Replaces the secrets of one request (a password, a token, the Authorization value) wherever they
 * would reach the result or an error message, for example when a server echoes the request's
 * headers.
 */
final class SecretScrubber {

    static final String MASK = "********";
    static final SecretScrubber NONE = new SecretScrubber(List.of());

    private final List<String> secrets;

    private SecretScrubber(List<String> secrets) {
        this.secrets = secrets;
    }

    /** @param secrets the secret values; empty ones are ignored; longest are replaced first */
    static SecretScrubber of(String... secrets) {
        List<String> list = new ArrayList<>();
        for (String secret : secrets) {
            if (secret != null && !secret.isEmpty()) {
                list.add(secret);
            }
        }
        list.sort((a, b) -> b.length() - a.length());
        return new SecretScrubber(List.copyOf(list));
    }

    String scrub(String text) {
        if (text == null) {
            return null;
        }
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, MASK);
        }
        return result;
    }

    byte[] scrub(byte[] bytes) {
        byte[] result = bytes;
        for (String secret : secrets) {
            result = replace(result, secret.getBytes(StandardCharsets.UTF_8), MASK.getBytes(StandardCharsets.US_ASCII));
        }
        return result;
    }

    private static byte[] replace(byte[] data, byte[] target, byte[] replacement) {
        ByteArrayOutputStream out = null;
        int copied = 0;
        for (int i = 0; i <= data.length - target.length; i++) {
            if (matches(data, i, target)) {
                if (out == null) {
                    out = new ByteArrayOutputStream(data.length);
                }
                out.write(data, copied, i - copied);
                out.write(replacement, 0, replacement.length);
                i += target.length - 1;
                copied = i + 1;
            }
        }
        if (out == null) {
            return data;
        }
        out.write(data, copied, data.length - copied);
        return out.toByteArray();
    }

    private static boolean matches(byte[] data, int at, byte[] target) {
        for (int j = 0; j < target.length; j++) {
            if (data[at + j] != target[j]) {
                return false;
            }
        }
        return true;
    }
}
