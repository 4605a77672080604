package io.midway.probe.ssh.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Replaces the secrets of one attempt (a password, a private key, a passphrase) wherever they would
 * reach the result or an error message, for example when the remote command prints them.
 */
final class SecretScrubber {

    static final String MASK = "********";

    private final List<String> secrets;

    private SecretScrubber(List<String> secrets) {
        this.secrets = secrets;
    }

    /** @param secrets the secret values; empty ones are ignored; the longest are replaced first */
    static SecretScrubber of(String... secrets) {
        List<String> list = new ArrayList<>();
        for (String secret : secrets) {
            if (secret != null && !secret.isEmpty()) {
                list.add(secret);
                // a key printed by the remote side may come with other line ends: each key line counts too
                for (String line : secret.split("\\R")) {
                    if (line.trim().length() >= 16) {
                        list.add(line.trim());
                    }
                }
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
}
