package io.midway.instance.http.internal;

import java.time.Clock;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import io.midway.console.support.guard.LoginThrottle;

/**
 * The one failed-login throttle of the instance, configured by the request limits (pid
 * {@code io.midway.instance.limits}, whose form {@link RequestLimitFilter} designates): the API's
 * logins ({@link RequestLimitFilter}) and the Web Console's ({@link BrowserGuardPreprocessor})
 * count against it together, so guessing the admin password on either page uses up the same
 * attempts.
 */
// In this package and named to sort before EventAdminPublisher (see BadInputGuard): registered, and
// the console guarded, before the database is opened.
@Component(service = LoginThrottle.class, configurationPid = RequestLimitFilter.PID)
public class ConfiguredLoginThrottle extends LoginThrottle {

    /** @param config the limits */
    @Activate
    public ConfiguredLoginThrottle(LimitsConfiguration config) {
        super(limits(config), Clock.systemUTC());
    }

    /**
     * @param config the limits
     * @return the throttle's limits from them
     */
    public static LoginThrottle.Limits limits(LimitsConfiguration config) {
        return new LoginThrottle.Limits(config.login_failures_per_user_address(), config.login_failures_per_address(),
                config.login_failures_per_user(), config.login_window_seconds() * 1000L);
    }
}
