package io.midway.instance.http.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Counts the requests in progress per key (an address, a user) and refuses one over a maximum. */
final class ConcurrencyLimit {

    private final Map<String, Integer> inProgress = new ConcurrentHashMap<>();

    /**
     * @param key the caller
     * @param max the most it may have in progress
     * @return whether it got a slot (then {@link #release} it)
     */
    boolean tryAcquire(String key, int max) {
        boolean[] granted = {false};
        inProgress.compute(key, (k, n) -> {
            int count = n == null ? 0 : n;
            if (count >= max) {
                return n;
            }
            granted[0] = true;
            return count + 1;
        });
        return granted[0];
    }

    /** @param key a caller that got a slot */
    void release(String key) {
        inProgress.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** @return the requests in progress for the key */
    int inProgress(String key) {
        return inProgress.getOrDefault(key, 0);
    }
}
