package io.midway.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class LaunchSettingsTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void instanceGeneratesPasswordsOnceAndKeepsThem() throws Exception {
        Path home = tmp.getRoot().toPath();
        LaunchSettings first = LaunchSettings.resolve("instance", home, Map.of());
        Path data = home.resolve("data/instance");
        assertEquals(data, first.data);
        assertEquals("plain HTTP is off by default", 0, first.httpPort);
        assertEquals("HTTPS is on by default", 8443, first.httpsPort);
        assertTrue(first.adminPassword.length() >= 20);
        assertNotEquals(first.adminPassword, first.agentPassword);
        assertEquals(first.adminPassword, Files.readString(data.resolve("admin.password")).trim());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("agent.password"))));
        LaunchSettings second = LaunchSettings.resolve("instance", home, Map.of());
        assertEquals(first.adminPassword, second.adminPassword);
        assertEquals(first.agentPassword, second.agentPassword);
    }

    @Test
    public void anInstanceOnADatabaseServerGeneratesNoPasswordAndSaysWhichToGive() throws Exception {
        Path home = tmp.getRoot().toPath();
        Map<String, String> pg = Map.of("MIDWAY_DB_URL", "jdbc:postgresql://127.0.0.1:5432/midway");
        Path data = home.resolve("data/instance");
        try {
            LaunchSettings.resolve("instance", home, pg);
            fail("a password generated for a node of a shared database");
        } catch (LaunchException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("MIDWAY_ADMIN_PASSWORD")
                    && e.getMessage().contains(data.resolve("admin.password").toString()));
        }
        assertTrue("nothing written", !Files.exists(data.resolve("admin.password"))
                && !Files.exists(data.resolve("agent.password")));

        // the first node's files, copied to this node's data folder: taken as they are
        Files.writeString(data.resolve("admin.password"), "first-node-admin\n");
        try {
            LaunchSettings.resolve("instance", home, pg);
            fail("an agent password generated for a node of a shared database");
        } catch (LaunchException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("MIDWAY_AGENT_PASSWORD"));
        }
        Files.writeString(data.resolve("agent.password"), "first-node-agent\n");
        LaunchSettings s = LaunchSettings.resolve("instance", home, pg);
        assertEquals("first-node-admin", s.adminPassword);
        assertEquals("first-node-agent", s.agentPassword);

        // or given in the environment
        LaunchSettings given = LaunchSettings.resolve("instance", home, Map.of("MIDWAY_DB_URL",
                "jdbc:postgresql://127.0.0.1:5432/midway", "MIDWAY_ADMIN_PASSWORD", "a", "MIDWAY_AGENT_PASSWORD", "b"));
        assertEquals("a", given.adminPassword);
        assertEquals("b", given.agentPassword);
    }

    @Test
    public void environmentWins() throws Exception {
        Path home = tmp.getRoot().toPath();
        Path data = tmp.newFolder("elsewhere").toPath();
        LaunchSettings s = LaunchSettings.resolve("agent", home, Map.of("MIDWAY_DATA", data.toString(),
                "MIDWAY_HTTP_PORT", "9191", "MIDWAY_ADMIN_PASSWORD", "a-secret", "MIDWAY_AGENT_PASSWORD", "b-secret",
                "MIDWAY_AGENT_USER", "mid7"));
        assertEquals(data, s.data);
        assertEquals(9191, s.httpPort);
        assertEquals("a-secret", s.adminPassword);
        assertEquals("b-secret", s.agentPassword);
        assertEquals("mid7", s.agentUser);
        assertTrue("no password file written when the environment gives one", !Files.exists(data.resolve("admin.password")));
    }

    @Test
    public void agentWithoutPasswordFailsClearly() {
        try {
            LaunchSettings.resolve("agent", tmp.getRoot().toPath(), Map.of());
            fail("expected a LaunchException");
        } catch (LaunchException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("MIDWAY_AGENT_PASSWORD"));
        }
    }

    @Test
    public void anAgentPasswordInEtcIsEnoughAndTheErrorSaysSo() throws Exception {
        Path home = tmp.getRoot().toPath();
        try {
            LaunchSettings.resolve("agent", home, Map.of());
            fail("expected a LaunchException");
        } catch (LaunchException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("agent.password in " + home.resolve("etc")));
        }
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/io.midway.agent.cfg"), "instance.url = http://localhost:8080\nagent.password = encrypted:v1.x\n");
        LaunchSettings s = LaunchSettings.resolve("agent", home, Map.of());
        assertTrue("the core reads it from its configuration", s.agentPassword == null);
        assertTrue("and the framework gets no empty password", !FrameworkConfig.of(s, false).containsKey("midway.agent.password"));
    }

    @Test
    public void badPortAndRoleAreRefused() {
        try {
            LaunchSettings.resolve("instance", tmp.getRoot().toPath(), Map.of("MIDWAY_HTTP_PORT", "70000"));
            fail();
        } catch (LaunchException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("MIDWAY_HTTP_PORT"));
        }
        try {
            LaunchSettings.resolve("broker", tmp.getRoot().toPath(), Map.of());
            fail();
        } catch (LaunchException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("'instance' or 'agent'"));
        }
    }

    @Test
    public void frameworkConfigKeepsSecretsOutOfSystemPropertiesAndSelectsFolders() throws Exception {
        Path home = tmp.getRoot().toPath();
        Files.createDirectories(home.resolve("system/boot"));
        Files.writeString(home.resolve("system/boot/b.jar"), "");
        Files.writeString(home.resolve("system/boot/a.jar"), "");
        LaunchSettings s = LaunchSettings.resolve("instance", home, Map.of("MIDWAY_HEARTBEAT_SECONDS", "3"));
        Map<String, String> c = FrameworkConfig.of(s, false);
        assertEquals(home.resolve("system/instance").toString(), c.get("felix.auto.deploy.dir"));
        assertEquals("none", c.get("org.osgi.framework.storage.clean"));
        assertEquals("--nointeractive", c.get("gosh.args"));
        assertEquals("3", c.get("midway.heartbeat.seconds"));
        assertEquals(s.adminPassword, c.get("felix.webconsole.password"));
        assertTrue(c.get("felix.auto.start.1").matches("file:.*/a\\.jar file:.*/b\\.jar"));
        assertEquals(null, System.getProperty("midway.admin.password"));
    }

    @Test
    public void eachAgentHasItsOwnDeployFolder() throws Exception {
        Path home = tmp.getRoot().toPath();
        Map<String, String> base = Map.of("MIDWAY_AGENT_PASSWORD", "p");
        LaunchSettings plain = LaunchSettings.resolve("agent", home, base);
        assertEquals("the default agent uses the distribution's deploy/", home.resolve("deploy").toString(),
                FrameworkConfig.of(plain, false).get("midway.deploy"));

        Path data = home.resolve("agents/two");
        Map<String, String> withData = new java.util.HashMap<>(base);
        withData.put("MIDWAY_DATA", data.toString());
        LaunchSettings own = LaunchSettings.resolve("agent", home, withData);
        assertEquals("an agent with its own data folder has its own deploy folder", data.resolve("deploy").toString(),
                FrameworkConfig.of(own, false).get("midway.deploy"));
        assertTrue("created at start", Files.isDirectory(data.resolve("deploy")));

        Path elsewhere = home.resolve("drops");
        withData.put("MIDWAY_DEPLOY", elsewhere.toString());
        assertEquals(elsewhere.toString(),
                FrameworkConfig.of(LaunchSettings.resolve("agent", home, withData), false).get("midway.deploy"));

        assertEquals("the agent's console listens on loopback by default", "127.0.0.1",
                FrameworkConfig.of(plain, false).get("org.apache.felix.http.host"));
        Map<String, String> open = new java.util.HashMap<>(base);
        open.put("MIDWAY_AGENT_HTTP_HOST", "0.0.0.0");
        assertEquals("0.0.0.0", FrameworkConfig.of(LaunchSettings.resolve("agent", home, open), false)
                .get("org.apache.felix.http.host"));
        assertEquals("the instance has no deploy folder", null,
                FrameworkConfig.of(LaunchSettings.resolve("instance", home, Map.of()), false).get("midway.deploy"));
    }

    @Test
    public void httpsMakesASelfSignedCertificateOnceAndConfiguresJetty() throws Exception {
        Path home = tmp.getRoot().toPath();
        LaunchSettings s = LaunchSettings.resolve("instance", home, Map.of("MIDWAY_HTTPS_PORT", "8443"));
        Map<String, String> c = FrameworkConfig.of(s, false);
        assertEquals("true", c.get("org.apache.felix.https.enable"));
        assertEquals("8443", c.get("org.osgi.service.http.port.secure"));
        Path keystore = Path.of(c.get("org.apache.felix.https.keystore"));
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (java.io.InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, c.get("org.apache.felix.https.keystore.password").toCharArray());
        }
        assertTrue(ks.isKeyEntry("midway"));
        Path pem = s.data.resolve("tls/instance.crt");
        assertTrue(Files.readString(pem).startsWith("-----BEGIN CERTIFICATE-----"));
        java.security.cert.X509Certificate x509;
        try (java.io.InputStream in = Files.newInputStream(pem)) {
            x509 = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
        }
        String names = String.valueOf(x509.getSubjectAlternativeNames());
        assertTrue(names, names.contains("localhost") && names.contains("127.0.0.1"));
        byte[] first = Files.readAllBytes(keystore);
        FrameworkConfig.of(s, false);
        assertTrue("made once, then reused", java.util.Arrays.equals(first, Files.readAllBytes(keystore)));
        Map<String, String> byDefault = FrameworkConfig.of(LaunchSettings.resolve("instance", home, Map.of()), false);
        assertEquals("HTTPS on by default", "true", byDefault.get("org.apache.felix.https.enable"));
        assertEquals("8443", byDefault.get("org.osgi.service.http.port.secure"));
        assertEquals("plain HTTP off by default", "false", byDefault.get("org.apache.felix.http.enable"));
        assertEquals("false", FrameworkConfig.of(LaunchSettings.resolve("instance", home,
                Map.of("MIDWAY_HTTPS_PORT", "off", "MIDWAY_HTTP_PORT", "9090")), false).get("org.apache.felix.https.enable"));
    }

    @Test
    public void plainHttpIsForThisMachineUnlessOpened() throws Exception {
        Path home = tmp.getRoot().toPath();
        Map<String, String> local = FrameworkConfig.of(LaunchSettings.resolve("instance", home,
                Map.of("MIDWAY_HTTP_PORT", "9090")), false);
        assertEquals("true", local.get("org.apache.felix.http.enable"));
        assertEquals("9090", local.get("org.osgi.service.http.port"));
        assertEquals("true", local.get("org.apache.felix.https.enable"));
        assertEquals("false", local.get("midway.http.plain.remote"));
        Map<String, String> plainOnly = FrameworkConfig.of(LaunchSettings.resolve("instance", home,
                Map.of("MIDWAY_HTTP_PORT", "9090", "MIDWAY_HTTPS_PORT", "off")), false);
        assertEquals("bound to loopback when it is all there is", "127.0.0.1", plainOnly.get("org.apache.felix.http.host"));
        Map<String, String> opened = FrameworkConfig.of(LaunchSettings.resolve("instance", home,
                Map.of("MIDWAY_HTTP_PORT", "9090", "MIDWAY_HTTP_HOST", "0.0.0.0")), false);
        assertEquals("true", opened.get("midway.http.plain.remote"));
        try {
            LaunchSettings.resolve("instance", home, Map.of("MIDWAY_HTTPS_PORT", "off"));
            fail("nothing served");
        } catch (LaunchException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("MIDWAY_HTTP_PORT"));
        }
        assertEquals("HTTPS port 8443, plain HTTP port 9090 for this machine only",
                LaunchSettings.resolve("instance", home, Map.of("MIDWAY_HTTP_PORT", "9090")).listening());
        assertEquals("HTTPS port 8443, plain HTTP off", LaunchSettings.resolve("instance", home, Map.of()).listening());
        LaunchSettings silent = LaunchSettings.resolve("agent", home, Map.of("MIDWAY_HTTP_PORT", "off",
                "MIDWAY_AGENT_PASSWORD", "b-secret"));
        assertEquals("an agent may open no port at all", "plain HTTP off", silent.listening());
        assertEquals("false", FrameworkConfig.of(silent, false).get("org.apache.felix.http.enable"));
    }

    @Test
    public void theAgentTrustsTheLocalInstancesCertificateUnlessToldOtherwise() throws Exception {
        Path home = tmp.getRoot().toPath();
        Map<String, String> c = FrameworkConfig.of(LaunchSettings.resolve("agent", home,
                Map.of("MIDWAY_AGENT_PASSWORD", "b-secret")), false);
        assertEquals(home.resolve("data/instance/tls/instance.crt").toString(), c.get("midway.instance.cert"));
        assertEquals("the agent's console stays plain HTTP on loopback", "false", c.get("org.apache.felix.https.enable"));
        Path pem = tmp.newFile("given.crt").toPath();
        assertEquals(pem.toString(), FrameworkConfig.of(LaunchSettings.resolve("agent", home,
                Map.of("MIDWAY_AGENT_PASSWORD", "b-secret", "MIDWAY_INSTANCE_CERT", pem.toString())), false)
                .get("midway.instance.cert"));
    }

    @Test
    public void aClientCertificateReplacesTheAgentPasswordAndBadFilesAreNamed() throws Exception {
        Path home = tmp.getRoot().toPath();
        Path keystore = tmp.newFile("agent.p12").toPath();
        Map<String, String> c = FrameworkConfig.of(LaunchSettings.resolve("agent", home,
                Map.of("MIDWAY_AGENT_KEYSTORE", keystore.toString(), "MIDWAY_AGENT_KEYSTORE_PASSWORD", "k")), false);
        assertEquals(keystore.toString(), c.get("midway.agent.keystore"));
        assertTrue("no password needed", !c.containsKey("midway.agent.password"));
        try {
            LaunchSettings.resolve("agent", home, Map.of("MIDWAY_AGENT_KEYSTORE", home.resolve("nope.p12").toString()));
            fail("a missing keystore");
        } catch (LaunchException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("MIDWAY_AGENT_KEYSTORE") && e.getMessage().contains("nope.p12"));
        }
        try {
            LaunchSettings.resolve("instance", home, Map.of("MIDWAY_HTTPS_KEYSTORE", keystore.toString()));
            fail("a keystore without its password");
        } catch (LaunchException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("MIDWAY_HTTPS_KEYSTORE_PASSWORD"));
        }
    }

    @Test
    public void clientAuthoritiesTurnOnClientCertificates() throws Exception {
        Path home = tmp.getRoot().toPath();
        // The instance's own certificate serves as an authority here: any PEM certificate will do.
        FrameworkConfig.of(LaunchSettings.resolve("instance", home, Map.of()), false);
        Path ca = home.resolve("data/instance/tls/instance.crt");
        Map<String, String> c = FrameworkConfig.of(LaunchSettings.resolve("instance", home,
                Map.of("MIDWAY_HTTPS_CLIENT_CA", ca.toString())), false);
        assertEquals("wants", c.get("org.apache.felix.https.clientcertificate"));
        assertEquals("true", c.get("midway.https.client.certificates"));
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (java.io.InputStream in = Files.newInputStream(Path.of(c.get("org.apache.felix.https.truststore")))) {
            ks.load(in, c.get("org.apache.felix.https.truststore.password").toCharArray());
        }
        assertTrue(ks.isCertificateEntry("client-ca-0"));
        Path junk = tmp.newFile("junk.pem").toPath();
        Files.writeString(junk, "not a certificate");
        try {
            FrameworkConfig.of(LaunchSettings.resolve("instance", home, Map.of("MIDWAY_HTTPS_CLIENT_CA", junk.toString())), false);
            fail("junk");
        } catch (LaunchException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("MIDWAY_HTTPS_CLIENT_CA"));
        }
    }

    @Test
    public void aTakenPortIsReportedClearly() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            LaunchSettings s = LaunchSettings.resolve("instance", tmp.getRoot().toPath(),
                    Map.of("MIDWAY_HTTP_PORT", Integer.toString(taken.getLocalPort())));
            try {
                s.requirePortsFree();
                fail("expected a LaunchException");
            } catch (LaunchException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("already in use") && e.getMessage().contains("MIDWAY_HTTP_PORT"));
            }
        }
    }

    @Test
    public void agentUserReachesTheAgentOnlyFromTheEnvironment() throws Exception {
        Path home = tmp.getRoot().toPath();
        Map<String, String> quiet = FrameworkConfig.of(LaunchSettings.resolve("agent", home,
                Map.of("MIDWAY_AGENT_PASSWORD", "b-secret")), false);
        assertTrue("without MIDWAY_AGENT_USER, agent.user in etc/io.midway.agent.cfg is what counts",
                !quiet.containsKey("midway.agent.user"));
        Map<String, String> set = FrameworkConfig.of(LaunchSettings.resolve("agent", home,
                Map.of("MIDWAY_AGENT_PASSWORD", "b-secret", "MIDWAY_AGENT_USER", "mid7")), false);
        assertEquals("mid7", set.get("midway.agent.user"));
        assertEquals("the instance always knows its agent user", "mid",
                FrameworkConfig.of(LaunchSettings.resolve("instance", home, Map.of()), false).get("midway.agent.user"));
    }

    @Test
    public void theDatabaseIsConfigurationAndOnlyPostgresqlIsTaken() throws Exception {
        Path home = tmp.getRoot().toPath();
        Map<String, String> h2 = FrameworkConfig.of(LaunchSettings.resolve("instance", home, Map.of()), false);
        assertTrue("the embedded H2 by default", !h2.containsKey("midway.db.url"));
        Map<String, String> pg = FrameworkConfig.of(LaunchSettings.resolve("instance", home, Map.of(
                "MIDWAY_DB_URL", "jdbc:postgresql://db.example:5432/midway", "MIDWAY_DB_USER", "midway",
                "MIDWAY_DB_PASSWORD", "s3cret")), false);
        assertEquals("jdbc:postgresql://db.example:5432/midway", pg.get("midway.db.url"));
        assertEquals("midway", pg.get("midway.db.user"));
        assertEquals("s3cret", pg.get("midway.db.password"));
        try {
            LaunchSettings.resolve("instance", home, Map.of("MIDWAY_DB_URL", "jdbc:mysql://db/midway"));
            fail("another engine");
        } catch (LaunchException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("MIDWAY_DB_URL must name a PostgreSQL database"));
        }
    }
}
