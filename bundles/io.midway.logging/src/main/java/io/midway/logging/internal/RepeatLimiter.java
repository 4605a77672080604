package io.midway.logging.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Keeps a flood of one message out of the log: the same logger writing the same message template
 * (before its arguments are filled in) more than {@code limit} times within {@code windowMillis}
 * is suppressed for the rest of the window, and one line then says how many were left out. A
 * logger writing more than {@code 10 × limit} lines of any templates in a window is limited the
 * same way, so that a flood of different texts is bounded too. Not thread-safe: the caller
 * serialises calls.
 */
final class RepeatLimiter {

    /** The line that replaces suppressed entries, written when their window ends. */
    record Suppressed(String logger, String template, long count) {
        String text() {
            return "suppressed " + count + " similar message" + (count == 1 ? "" : "s") + " from " + logger + ": "
                    + abbreviate(template);
        }
    }

    private static final int MAX_KEYS = 10_000;

    private final int limit;
    private final long windowMillis;
    private final Map<String, Window> windows = new HashMap<>();
    private long nextSweep;

    private static final class Window {
        final String logger;
        final String template;
        final long start;
        long seen;

        Window(String logger, String template, long start) {
            this.logger = logger;
            this.template = template;
            this.start = start;
        }
    }

    RepeatLimiter(int limit, long windowMillis) {
        this.limit = limit;
        this.windowMillis = windowMillis;
    }

    /**
     * @param logger the logger
     * @param template the message before arguments
     * @param now the time in milliseconds
     * @return whether to write the entry
     */
    boolean allow(String logger, String template, long now) {
        if (!count("t\u0000" + logger + "\u0000" + template, logger, template, now, limit)) {
            return false;
        }
        return count("l\u0000" + logger, logger, "(any message)", now, limit * 10L);
    }

    private boolean count(String key, String logger, String template, long now, long max) {
        Window w = windows.get(key);
        if (w == null || now - w.start >= windowMillis) {
            if (windows.size() >= MAX_KEYS) {
                windows.values().removeIf(old -> now - old.start >= windowMillis && old.seen <= limit);
            }
            if (w == null && windows.size() >= MAX_KEYS) {
                // Too many distinct messages to track: count them under the logger alone.
                return true;
            }
            if (w != null && w.seen > max) {
                pending.add(new Suppressed(w.logger, w.template, w.seen - max));
            }
            w = new Window(logger, template, now);
            windows.put(key, w);
        }
        w.seen++;
        return w.seen <= max;
    }

    private final List<Suppressed> pending = new ArrayList<>();

    /**
     * @param now the time in milliseconds
     * @param all whether to end every window now (when the log closes)
     * @return the summaries of windows that ended with suppressed entries
     */
    List<Suppressed> ended(long now, boolean all) {
        if (!all && now < nextSweep && pending.isEmpty()) {
            return List.of();
        }
        nextSweep = now + Math.min(1000, windowMillis);
        List<Suppressed> out = new ArrayList<>(pending);
        pending.clear();
        for (Iterator<Map.Entry<String, Window>> it = windows.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Window> e = it.next();
            Window w = e.getValue();
            if (all || now - w.start >= windowMillis) {
                long max = e.getKey().startsWith("l\u0000") ? limit * 10L : limit;
                if (w.seen > max) {
                    out.add(new Suppressed(w.logger, w.template, w.seen - max));
                }
                it.remove();
            }
        }
        return out;
    }

    static String abbreviate(String text) {
        String oneLine = text == null ? "" : text.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...";
    }
}
