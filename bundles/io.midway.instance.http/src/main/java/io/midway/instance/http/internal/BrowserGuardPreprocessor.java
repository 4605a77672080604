package io.midway.instance.http.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.Preprocessor;

import io.midway.console.support.guard.BrowserGuard;
import io.midway.console.support.guard.LoginThrottle;

/**
 * The {@link BrowserGuard} in front of the instance's whole HTTP server (a whiteboard
 * {@link Preprocessor}, so it runs before the Web Console's context and the API's): cross-site
 * state-changing requests are refused with 403 everywhere, and failed Web Console logins count
 * against the same throttle as the API's ({@link ConfiguredLoginThrottle}), with the same 429.
 */
// In this package and named to sort before EventAdminPublisher (see BadInputGuard).
@Component(service = Preprocessor.class)
public class BrowserGuardPreprocessor extends BrowserGuard implements Preprocessor {

    /** @param logins the instance's failed-login throttle */
    @Activate
    public BrowserGuardPreprocessor(@Reference LoginThrottle logins) {
        super(logins);
    }
}
