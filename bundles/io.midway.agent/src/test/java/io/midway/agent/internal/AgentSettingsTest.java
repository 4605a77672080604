package io.midway.agent.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.Test;

public class AgentSettingsTest {

    /** The configuration with the annotation's defaults, some values changed. */
    static class Config implements AgentConfiguration {
        String url = "http://localhost:8080";
        String name = "";
        String user = "mid";
        String spool = "";
        String password = "";
        int queuePerThread = 4;

        @Override
        public String agent_password() {
            return password;
        }

        @Override
        public Class<? extends Annotation> annotationType() {
            return AgentConfiguration.class;
        }

        @Override
        public String instance_url() {
            return url;
        }

        @Override
        public String agent_name() {
            return name;
        }

        @Override
        public String agent_user() {
            return user;
        }

        @Override
        public int threads_interactive() {
            return 10;
        }

        @Override
        public int threads_expedited() {
            return 20;
        }

        @Override
        public int threads_standard() {
            return 0;
        }

        @Override
        public int queue_per_thread() {
            return queuePerThread;
        }

        @Override
        public long poll_wait_ms() {
            return 30000;
        }

        @Override
        public int result_batch_size() {
            return 100;
        }

        @Override
        public String spool_dir() {
            return spool;
        }
    }

    private final Map<String, String> framework = new HashMap<>();

    private AgentSettings settings(Config config) {
        return AgentSettings.from(config, framework::get, "host1");
    }

    @Test
    public void defaults() {
        framework.put("midway.data", "/var/midway");
        AgentSettings s = settings(new Config());
        assertEquals("http://localhost:8080", s.instanceUrl());
        assertEquals("host1", s.agentName());
        assertEquals("mid", s.agentUser());
        assertNull(s.agentPassword());
        assertEquals(Path.of("/var/midway/spool"), s.spoolDir());
        assertEquals(Path.of("/var/midway/sync"), s.syncDir());
        assertEquals(1, s.threadsStandard());
        assertEquals(100, s.resultBatchSize());
        assertEquals(4, s.queuePerThread());
    }

    @Test
    public void theEnvironmentWinsOverTheFile() {
        Config config = new Config();
        config.url = "http://file:8080/";
        config.name = "from-file";
        config.user = "file-user";
        assertEquals("http://file:8080", settings(config).instanceUrl());
        assertEquals("from-file", settings(config).agentName());

        framework.put("midway.instance.url", "https://env:8443/");
        framework.put("midway.agent.name", "from-env");
        framework.put("midway.agent.user", "env-user");
        framework.put("midway.agent.password", "s3cret");
        AgentSettings s = settings(config);
        assertEquals("https://env:8443", s.instanceUrl());
        assertEquals("from-env", s.agentName());
        assertEquals("env-user", s.agentUser());
        assertEquals("s3cret", s.agentPassword());
        assertFalse(s.toString(), s.toString().contains("s3cret"));
        assertTrue(s.toString(), s.toString().contains("password set"));
    }

    @Test
    public void theInstanceCertificateComesFromItsFrameworkProperty() {
        assertEquals(null, settings(new Config()).instanceCertificate());
        framework.put("midway.instance.cert", "/data/instance/tls/instance.crt");
        assertEquals(Path.of("/data/instance/tls/instance.crt"), settings(new Config()).instanceCertificate());
    }

    @Test
    public void emptyOverridesAreIgnored() {
        Config config = new Config();
        config.name = "from-file";
        framework.put("midway.agent.name", "");
        framework.put("midway.agent.password", "");
        AgentSettings s = settings(config);
        assertEquals("from-file", s.agentName());
        assertNull(s.agentPassword());
    }

    @Test
    public void theSpoolDirectoryIsResolvedAgainstTheDataDirectory() {
        Config config = new Config();
        assertEquals(Path.of(AgentSettings.DEFAULT_DATA_DIR, "spool").toAbsolutePath().normalize(),
                settings(config).spoolDir());
        framework.put("midway.data", "/data/a1");
        config.spool = "outbox";
        assertEquals(Path.of("/data/a1/outbox"), settings(config).spoolDir());
        config.spool = "/elsewhere/spool";
        assertEquals(Path.of("/elsewhere/spool"), settings(config).spoolDir());
    }

    @Test
    public void anEncryptedPasswordFromTheConfigurationIsDecryptedAndTheEnvironmentWins() {
        Config config = new Config();
        config.password = "encrypted:v1.abc";
        java.util.function.UnaryOperator<String> decrypt = v -> {
            if (!v.equals("encrypted:v1.abc")) {
                throw new IllegalArgumentException("the encrypted value was altered");
            }
            return "plain-secret";
        };
        assertEquals("plain-secret", AgentSettings.from(config, framework::get, "host1", decrypt).agentPassword());

        config.password = "plain-in-file";
        assertEquals("plain-in-file", AgentSettings.from(config, framework::get, "host1", decrypt).agentPassword());

        framework.put("midway.agent.password", "from-env");
        assertEquals("MIDWAY_AGENT_PASSWORD wins", "from-env",
                AgentSettings.from(config, framework::get, "host1", decrypt).agentPassword());

        framework.remove("midway.agent.password");
        config.password = "encrypted:v1.abd";
        try {
            AgentSettings.from(config, framework::get, "host1", decrypt);
            org.junit.Assert.fail("an altered encrypted password was accepted");
        } catch (IllegalArgumentException e) {
            assertEquals("the agent password (agent.password in etc/io.midway.agent.cfg) does not decrypt: the "
                    + "encrypted value was altered; make it again with mid:encrypt on this agent", e.getMessage());
            org.junit.Assert.assertFalse(e.getMessage().contains("v1.abd"));
        }
    }
}
