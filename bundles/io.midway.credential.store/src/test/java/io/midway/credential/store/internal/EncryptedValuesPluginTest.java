package io.midway.credential.store.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class EncryptedValuesPluginTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void encryptedValuesReachTheComponentOpenedAndOthersAsTheyAre() throws Exception {
        Path dir = folder.newFolder("agent").toPath();
        AgentCredentialStore store = new AgentCredentialStore(dir);
        EncryptedValuesPlugin plugin = new EncryptedValuesPlugin(store);
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("service.pid", "io.midway.protocol.http");
        properties.put("truststore.password", store.encrypt("Canary-Trust-42"));
        properties.put("truststore.path", "/etc/midway/trust.p12");
        properties.put("connect.timeout.ms", 5000);
        properties.put("tokens", new String[] {"plain", store.encrypt("second-secret")});
        properties.put("list", List.of(store.encrypt("third")));

        plugin.modifyConfiguration(null, properties);

        assertEquals("Canary-Trust-42", properties.get("truststore.password"));
        assertEquals("/etc/midway/trust.p12", properties.get("truststore.path"));
        assertEquals(5000, properties.get("connect.timeout.ms"));
        assertArrayEquals(new String[] {"plain", "second-secret"}, (String[]) properties.get("tokens"));
        assertEquals(List.of("third"), properties.get("list"));
    }

    @Test
    public void aValueEncryptedForAnotherAgentIsLeftEncrypted() throws Exception {
        AgentCredentialStore other = new AgentCredentialStore(folder.newFolder("other").toPath());
        AgentCredentialStore store = new AgentCredentialStore(folder.newFolder("agent").toPath());
        String foreign = other.encrypt("not-for-you");
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("service.pid", "x");
        properties.put("password", foreign);

        new EncryptedValuesPlugin(store).modifyConfiguration(null, properties);

        assertEquals(foreign, properties.get("password"));
        assertTrue(foreign.startsWith("encrypted:"));
    }
}
