package io.midway.console.support.guard;

import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: counts failed logins in a fixed window per user and address, per
 * address, and per user, and refuses further attempts (the caller answers 429 with
 * {@code Retry-After}) until the window of the exceeded count ends.
 * <ul>
 * <li>one user from one address: {@code perUserAddress} failures;</li>
 * <li>one address, any users: {@code perAddress} failures (other users from that address still
 * log in until then);</li>
 * <li>one user, any addresses: {@code perUser} failures, but not from an address that logged in
 * as that user successfully within the window (so agents keep working while someone guesses their
 * password from elsewhere).</li>
 * </ul>
 * A success does not reset the counts of failures already made (a guesser who also knows one
 * password gains nothing). Thread-safe; the number of keys kept is bounded.
 * <p>
 * On the instance one throttle counts the API's logins and the Web Console's (the instance
 * configures it with pid {@code io.midway.instance.limits}); the agent's Web Console has one with
 * {@link Limits#DEFAULTS}. Not final: the instance's DS component that configures it extends it.
 */
public class LoginThrottle {

    /** The most keys remembered; beyond it new users are not counted, addresses still are. */
    static final int MAX_KEYS = 20_000;

    /** The limits: failure counts and the window length. */
    public record Limits(int perUserAddress, int perAddress, int perUser, long windowMillis) {
        /** The instance's defaults (its {@code LimitsConfiguration}), also the agent console's limits. */
        public static final Limits DEFAULTS = new Limits(5, 20, 100, 60_000);
    }

    private static final class Window {
        long start;
        int count;

        Window(long start) {
            this.start = start;
        }
    }

    private final Limits limits;
    private final Clock clock;
    private final Map<String, Window> failures = new ConcurrentHashMap<>();
    /** user + address of logins that succeeded, with when. */
    private final Map<String, Long> knownGood = new ConcurrentHashMap<>();

    /**
     * @param limits the limits
     * @param clock the time source
     */
    public LoginThrottle(Limits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    /**
     * @param user the user name the caller gives, null for none
     * @param address the caller's address
     * @return 0 when the attempt may go on, else the seconds after which to try again
     */
    public long allow(String user, String address) {
        long now = clock.millis();
        long wait = blocked("a " + address, limits.perAddress(), now);
        if (user != null) {
            wait = Math.max(wait, blocked("ua " + user + '\n' + address, limits.perUserAddress(), now));
            if (!isKnownGood(user, address, now)) {
                wait = Math.max(wait, blocked("u " + user, limits.perUser(), now));
            }
        }
        return wait == 0 ? 0 : Math.max(1, (wait + 999) / 1000);
    }

    /**
     * Records a failed login.
     *
     * @param user the user name given, null for none
     * @param address the caller's address
     */
    public void failed(String user, String address) {
        long now = clock.millis();
        count("a " + address, now);
        if (user != null) {
            count("ua " + user + '\n' + address, now);
            count("u " + user, now);
        }
    }

    /**
     * Records a successful login: from now on, for the window, this address is not refused for the
     * user because of failures made from elsewhere.
     *
     * @param user the user
     * @param address the caller's address
     */
    public void succeeded(String user, String address) {
        long now = clock.millis();
        if (knownGood.size() >= MAX_KEYS) {
            knownGood.values().removeIf(at -> now - at >= limits.windowMillis());
        }
        if (knownGood.size() < MAX_KEYS) {
            knownGood.put(user + '\n' + address, now);
        }
    }

    private boolean isKnownGood(String user, String address, long now) {
        Long at = knownGood.get(user + '\n' + address);
        return at != null && now - at < limits.windowMillis();
    }

    /** @return the milliseconds until the window of {@code key} ends when it is over {@code max}, else 0 */
    private long blocked(String key, int max, long now) {
        Window w = failures.get(key);
        if (w == null || max <= 0) {
            return 0;
        }
        synchronized (w) {
            long left = w.start + limits.windowMillis() - now;
            return left > 0 && w.count >= max ? left : 0;
        }
    }

    private void count(String key, long now) {
        if (failures.size() >= MAX_KEYS && !failures.containsKey(key)) {
            prune(now);
            if (failures.size() >= MAX_KEYS && !key.startsWith("a ")) {
                return;
            }
        }
        Window w = failures.computeIfAbsent(key, k -> new Window(now));
        synchronized (w) {
            if (now - w.start >= limits.windowMillis()) {
                w.start = now;
                w.count = 0;
            }
            w.count++;
        }
    }

    private void prune(long now) {
        for (Iterator<Window> it = failures.values().iterator(); it.hasNext();) {
            Window w = it.next();
            synchronized (w) {
                if (now - w.start >= limits.windowMillis()) {
                    it.remove();
                }
            }
        }
    }
}
