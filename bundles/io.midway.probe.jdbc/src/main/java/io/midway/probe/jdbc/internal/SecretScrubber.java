package io.midway.probe.jdbc.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The secrets opened for one probe run (the passwords tried), replaced by {@value #MASK} wherever
 * text from the database or the driver would carry them into a result or a message.
 */
final class SecretScrubber {

    static final String MASK = "********";

    private final List<String> secrets = new CopyOnWriteArrayList<>();

    /** @param secret a secret now in use; {@code null} and empty are ignored */
    void add(String secret) {
        if (secret != null && !secret.isEmpty() && !secrets.contains(secret)) {
            secrets.add(secret);
            secrets.sort((a, b) -> b.length() - a.length());
        }
    }

    /**
     * @param text any text, or {@code null}
     * @return the text with every secret masked
     */
    String scrub(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : secrets) {
            if (result.contains(secret)) {
                result = result.replace(secret, MASK);
            }
        }
        return result;
    }
}
