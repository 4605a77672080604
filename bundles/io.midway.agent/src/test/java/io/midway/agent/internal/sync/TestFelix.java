package io.midway.agent.internal.sync;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * A real Felix framework with Declarative Services (Felix SCR) for tests. The system bundle
 * exports the DS API, promise, function and {@code io.midway.api.probe/protocol} from the test
 * class path, so the test sees the same classes as the bundles inside.
 */
final class TestFelix implements AutoCloseable {

    private static final String EXTRA_PACKAGES = String.join(",",
            "org.osgi.service.component;version=1.5.1",
            "org.osgi.service.component.runtime;version=1.5.0",
            "org.osgi.service.component.runtime.dto;version=1.5.0",
            "org.osgi.util.promise;version=1.3.0",
            "org.osgi.util.function;version=1.2.0",
            apiExport("io.midway.api.probe"),
            apiExport("io.midway.api.protocol"));

    private final Framework framework;

    /**
     * @param pkg a package of the Midway API
     * @return its export clause with the version the API bundle on the test class path exports, so
     *     that bundles built against this API resolve here
     */
    private static String apiExport(String pkg) {
        try {
            java.net.URL location = io.midway.api.probe.Probe.class.getProtectionDomain().getCodeSource().getLocation();
            Path where = Path.of(location.toURI());
            java.util.jar.Manifest manifest;
            if (java.nio.file.Files.isDirectory(where)) {
                try (java.io.InputStream in = java.nio.file.Files.newInputStream(where.resolve("META-INF/MANIFEST.MF"))) {
                    manifest = new java.util.jar.Manifest(in);
                }
            } else {
                try (java.util.jar.JarFile jar = new java.util.jar.JarFile(where.toFile())) {
                    manifest = jar.getManifest();
                }
            }
            String exports = manifest.getMainAttributes().getValue(Constants.EXPORT_PACKAGE);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:^|,)" + java.util.regex.Pattern.quote(pkg)
                    + ";[^,]*?version=\"?([0-9.]+)").matcher(exports);
            if (!m.find()) {
                throw new IllegalStateException("the API bundle at " + where + " does not export " + pkg);
            }
            return pkg + ";version=" + m.group(1);
        } catch (java.io.IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot read the API bundle's manifest: " + e, e);
        }
    }

    /**
     * Starts a framework with SCR.
     *
     * @param storage the bundle cache; kept between frameworks on the same folder
     * @param clean whether to start from an empty cache
     * @throws BundleException when the framework or SCR does not start
     */
    TestFelix(Path storage, boolean clean) throws BundleException {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, clean ? Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT : "none");
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, EXTRA_PACKAGES);
        config.put("felix.log.level", "0");
        framework = new FrameworkFactory().newFramework(config);
        framework.start();
        BundleContext context = framework.getBundleContext();
        String scrJar = System.getProperty("midway.test.scr.jar");
        if (scrJar == null) {
            throw new IllegalStateException("system property midway.test.scr.jar is not set: run the tests with Maven");
        }
        Bundle scr = context.getBundle(Path.of(scrJar).toUri().toString());
        if (scr == null) {
            scr = context.installBundle(Path.of(scrJar).toUri().toString());
        }
        scr.start();
    }

    /** @return the system bundle's context, which plays the agent core's */
    BundleContext context() {
        return framework.getBundleContext();
    }

    /** @return the DS runtime */
    ServiceComponentRuntime scr() {
        BundleContext context = context();
        return context.getService(context.getServiceReference(ServiceComponentRuntime.class));
    }

    @Override
    public void close() throws Exception {
        framework.stop();
        framework.waitForStop(10_000);
    }
}
