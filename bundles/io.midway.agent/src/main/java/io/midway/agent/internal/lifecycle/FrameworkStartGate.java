package io.midway.agent.internal.lifecycle;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action once the framework has started every bundle of its start level (the system bundle
 * is {@code ACTIVE}, {@link FrameworkEvent#STARTED}), so that the agent takes no work while the
 * probes of bundles later in the start order are still coming: a record for such a topic would
 * otherwise fail with "No probe for topic". When the framework is already started (the core was
 * replaced by an upgrade, or installed into a running framework) the action runs at once. A
 * framework that has not finished starting within the limit (a bundle hanging in its activator)
 * does not keep the agent offline: the action then runs anyway, with a warning.
 */
public final class FrameworkStartGate {

    private static final Logger LOG = LoggerFactory.getLogger(FrameworkStartGate.class);

    private final BundleContext context;
    private final CountDownLatch started = new CountDownLatch(1);
    private final AtomicBoolean done = new AtomicBoolean();
    private final FrameworkListener listener = event -> {
        if (event.getType() == FrameworkEvent.STARTED) {
            started.countDown();
        }
    };
    private volatile Thread waiter;

    /**
     * @param context the core's context
     */
    public FrameworkStartGate(BundleContext context) {
        this.context = context;
    }

    /**
     * Runs the action at once when the framework has started, else on a thread of its own when it
     * has (or when the limit passes).
     *
     * @param limit how long to wait at most
     * @param action what to run, once
     */
    public void whenStarted(Duration limit, Runnable action) {
        context.addFrameworkListener(listener);
        if (frameworkActive()) {
            finish(action);
            return;
        }
        LOG.info("Waiting for the framework to start every bundle before taking work");
        Thread thread = DaemonThreads.newThread("midway-start-gate", () -> {
            try {
                if (!started.await(limit.toMillis(), TimeUnit.MILLISECONDS) && !frameworkActive()) {
                    LOG.warn("The framework has not finished starting its bundles after {} s: taking work anyway",
                            limit.toSeconds());
                }
                finish(action);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiter = thread;
        thread.start();
    }

    /** @return whether the framework has started already (an upgrade or a restart in place) */
    public boolean started() {
        return frameworkActive();
    }

    /** Stops waiting; the action does not run when it has not yet. */
    public void close() {
        done.set(true);
        try {
            context.removeFrameworkListener(listener);
        } catch (IllegalStateException e) {
            // the context is already invalid
        }
        Thread thread = waiter;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private boolean frameworkActive() {
        Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
        return system != null && system.getState() == Bundle.ACTIVE;
    }

    private void finish(Runnable action) {
        try {
            context.removeFrameworkListener(listener);
        } catch (IllegalStateException e) {
            return;
        }
        if (done.compareAndSet(false, true)) {
            action.run();
        }
    }
}
