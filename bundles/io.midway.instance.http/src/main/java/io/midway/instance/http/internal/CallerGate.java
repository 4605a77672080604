package io.midway.instance.http.internal;

import java.util.Map;

import io.midway.console.support.guard.LoginThrottle;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The limits of one request, put on it as a request attribute by {@link RequestLimitFilter} and
 * consulted by {@link ApiServlet#authenticate}: the failed-login throttle before and after the
 * password check, and the concurrency limit of the authenticated user. A request without a gate
 * (a servlet called without the filter, as in some tests) is not limited.
 */
final class CallerGate {

    /** The request attribute holding the gate. */
    static final String ATTRIBUTE = CallerGate.class.getName();

    private final LoginThrottle throttle;
    private final ConcurrencyLimit users;
    private final int perUser;
    private final boolean counted;
    private final String address;
    private String acquiredUser;
    private boolean loginRecorded;

    /**
     * @param throttle the failed-login throttle
     * @param users the in-progress count per user
     * @param perUser the most one user may have in progress
     * @param counted whether this request counts against the concurrency limits (long polls do not)
     * @param address the caller's address
     */
    CallerGate(LoginThrottle throttle, ConcurrencyLimit users, int perUser, boolean counted, String address) {
        this.throttle = throttle;
        this.users = users;
        this.perUser = perUser;
        this.counted = counted;
        this.address = address;
    }

    /**
     * Before a password is checked.
     *
     * @param request the request
     * @param user the user name given, null for none
     * @throws RequestException 429 with {@code Retry-After} when too many logins failed
     */
    static void beforeLogin(HttpServletRequest request, String user) {
        CallerGate gate = of(request);
        if (gate == null || gate.loginRecorded) {
            return;
        }
        long retryAfter = gate.throttle.allow(user, gate.address);
        if (retryAfter > 0) {
            throw new RequestException(RequestException.Kind.TOO_MANY_REQUESTS, "Too many failed logins",
                    "try again in " + retryAfter + " s", Map.of("Retry-After", Long.toString(retryAfter)));
        }
    }

    /**
     * After a password was checked.
     *
     * @param request the request
     * @param user the user name given, null for none
     * @param success whether it matched
     * @throws RequestException 429 with {@code Retry-After} when the user has too many requests in progress
     */
    static void afterLogin(HttpServletRequest request, String user, boolean success) {
        CallerGate gate = of(request);
        if (gate == null) {
            return;
        }
        if (!gate.loginRecorded) {
            gate.loginRecorded = true;
            if (success) {
                gate.throttle.succeeded(user, gate.address);
            } else {
                gate.throttle.failed(user, gate.address);
            }
        }
        if (success && gate.counted && gate.acquiredUser == null) {
            if (!gate.users.tryAcquire(user, gate.perUser)) {
                throw RequestLimitFilter.tooMany("user '" + user + "'");
            }
            gate.acquiredUser = user;
        }
    }

    /** Gives back the user's slot, when one was taken. */
    void release() {
        if (acquiredUser != null) {
            users.release(acquiredUser);
            acquiredUser = null;
        }
    }

    private static CallerGate of(HttpServletRequest request) {
        Object gate = request.getAttribute(ATTRIBUTE);
        return gate instanceof CallerGate g ? g : null;
    }
}
