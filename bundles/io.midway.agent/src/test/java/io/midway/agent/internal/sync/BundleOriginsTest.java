package io.midway.agent.internal.sync;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class BundleOriginsTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theLocationTellsTheOrigin() throws Exception {
        Path home = tmp.getRoot().toPath().resolve("midway");
        Path deploy = Files.createDirectories(home.resolve("deploy"));
        Path system = Files.createDirectories(home.resolve("system/agent"));
        BundleOrigins origins = new BundleOrigins(home, deploy);

        assertEquals(BundleOrigin.SYNC, origins.of("midway-sync:io.midway.testing.echo"));
        assertEquals(BundleOrigin.DEPLOY, origins.of(deploy.resolve("echo.jar").toUri().toString()));
        assertEquals("a jar already deleted from deploy/", BundleOrigin.DEPLOY,
                origins.of(deploy.resolve("gone.jar").toUri().toString()));
        assertEquals(BundleOrigin.DISTRIBUTION, origins.of(system.resolve("tcp.jar").toUri().toString()));
        assertEquals(BundleOrigin.DISTRIBUTION, origins.of("reference:" + system.resolve("tcp.jar").toUri()));
        assertEquals(BundleOrigin.DISTRIBUTION, origins.of("file:" + home + "/system/../system/boot/slf4j.jar"));
        assertEquals(BundleOrigin.OTHER, origins.of(home.resolve("etc/x.jar").toUri().toString()));
        assertEquals(BundleOrigin.OTHER, origins.of("System Bundle"));
        assertEquals(BundleOrigin.OTHER, origins.of("mvn:io.midway/io.midway.api/0.1.0"));
        assertEquals(BundleOrigin.OTHER, origins.of(null));

        BundleOrigins unknown = new BundleOrigins(null, null);
        assertEquals(BundleOrigin.OTHER, unknown.of(system.resolve("tcp.jar").toUri().toString()));
        assertEquals(BundleOrigin.SYNC, unknown.of("midway-sync:x"));
    }

    @Test
    public void syncLocations() {
        assertEquals("midway-sync:com.acme.x", BundleOrigins.syncLocation("com.acme.x"));
        assertEquals("com.acme.x", BundleOrigins.syncedName("midway-sync:com.acme.x"));
        assertNull(BundleOrigins.syncedName("file:/x.jar"));
        assertEquals(Optional.of(Path.of("/opt/x.jar")), BundleOrigins.file("file:/opt/x.jar"));
        assertEquals(Optional.empty(), BundleOrigins.file("http://example/x.jar"));
    }
}
