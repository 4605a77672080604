package io.midway.agent.upgrader.testcore;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import io.midway.api.agent.MidAgent;

/**
 * Test fixture only (packed into fake {@code io.midway.agent} jars by the tests, never shipped):
 * registers a {@link MidAgent} whose connection is framework property
 * {@code midway.test.connection}, else manifest header {@code Midway-Test-Connection}, else
 * {@code connected}, and whose probes are manifest header {@code Midway-Test-Probes} (comma-separated).
 */
public class FakeCoreActivator implements BundleActivator {

    private ServiceRegistration<MidAgent> registration;

    @Override
    public void start(BundleContext context) {
        String connection = context.getProperty("midway.test.connection");
        if (connection == null) {
            connection = context.getBundle().getHeaders().get("Midway-Test-Connection");
        }
        registration = context.registerService(MidAgent.class,
                new FakeCoreAgent(context.getBundle().getVersion().toString(),
                        connection == null ? "connected" : connection,
                        context.getBundle().getHeaders().get("Midway-Test-Probes")), null);
    }

    @Override
    public void stop(BundleContext context) {
        registration.unregister();
    }
}
