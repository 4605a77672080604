package io.midway.instance.store;

/**
 * A key waiting for an admin's validation.
 *
 * @param text the key as text
 * @param fingerprint its fingerprint
 */
public record PendingKey(String text, String fingerprint) {
}
