package io.midway.instance.http.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Limits per caller on the instance API (pid {@code io.midway.instance.limits}). */
@ObjectClassDefinition(
        name = "Midway request limits",
        description = "Limits per caller on /api/*: concurrent requests, slow request bodies, failed logins. "
                + "Long polls (GET /api/mid/ecc/poll) wait without a thread and are not counted.")
public @interface LimitsConfiguration {

    /** @return the most requests one address may have in progress */
    @AttributeDefinition(name = "Concurrent requests per address", min = "1",
            description = "More at once from one address are answered 429 with Retry-After.")
    int per_address_concurrent() default 96;

    /** @return the most requests one authenticated user may have in progress */
    @AttributeDefinition(name = "Concurrent requests per user", min = "1",
            description = "More at once by one authenticated user are answered 429 with Retry-After.")
    int per_user_concurrent() default 96;

    /** @return the slowest average rate a request body may arrive at, after the grace time */
    @AttributeDefinition(name = "Minimum body rate (bytes/s)", min = "0",
            description = "A request body arriving slower than this on average, once the grace time has passed, "
                    + "is cut off with 408. 0: no minimum (the HTTP idle timeout still cuts a stalled body).")
    int body_min_bytes_per_second() default 1024;

    /** @return seconds a body may take before its rate is checked */
    @AttributeDefinition(name = "Body grace time (seconds)", min = "0")
    int body_grace_seconds() default 10;

    /** @return failed logins of one user from one address before 429 */
    @AttributeDefinition(name = "Failed logins per user and address", min = "1",
            description = "After this many failed logins within the window, the user is refused from that address until the window ends.")
    int login_failures_per_user_address() default 5;

    /** @return failed logins from one address before 429 */
    @AttributeDefinition(name = "Failed logins per address", min = "1",
            description = "After this many failed logins (any users) within the window, the address is refused until the window ends.")
    int login_failures_per_address() default 20;

    /** @return failed logins of one user from anywhere before 429 */
    @AttributeDefinition(name = "Failed logins per user", min = "1",
            description = "After this many failed logins (any addresses) within the window, the user is refused until the window ends, "
                    + "except from addresses where that user logged in successfully within the window.")
    int login_failures_per_user() default 100;

    /** @return the window of the failed-login counts */
    @AttributeDefinition(name = "Failed-login window (seconds)", min = "1")
    int login_window_seconds() default 60;
}
