package io.midway.agent.console.internal;

import java.time.Clock;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.Preprocessor;

import io.midway.console.support.guard.BrowserGuard;
import io.midway.console.support.guard.LoginThrottle;

/**
 * The {@link BrowserGuard} in front of the agent's whole HTTP server (a whiteboard
 * {@link Preprocessor}, running before the Web Console's context): cross-site state-changing
 * requests are refused with 403, and failed Web Console logins are slowed with the instance's
 * default limits ({@link LoginThrottle.Limits#DEFAULTS}: 5 per user and address, 20 per address,
 * 100 per user, in 60 s; 429 with {@code Retry-After}). It needs nothing from the agent core, so
 * the console stays guarded while the core is stopped or upgraded.
 */
@Component(service = Preprocessor.class)
public class BrowserGuardPreprocessor extends BrowserGuard implements Preprocessor {

    /** A guard with the default login limits. */
    public BrowserGuardPreprocessor() {
        super(new LoginThrottle(LoginThrottle.Limits.DEFAULTS, Clock.systemUTC()));
    }
}
