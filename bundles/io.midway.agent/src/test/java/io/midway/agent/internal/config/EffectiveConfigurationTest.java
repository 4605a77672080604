package io.midway.agent.internal.config;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.agent.internal.AgentConfiguration;
import io.midway.agent.internal.AgentSettings;
import io.midway.agent.internal.shell.ConfigCommandAccess;
import io.midway.api.agent.SettingDTO;

public class EffectiveConfigurationTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** The distribution's etc/io.midway.agent.cfg as FileInstall hands it to Config Admin. */
    private Map<String, Object> fromFile(Path home, String text) throws Exception {
        Path etc = Files.createDirectories(home.resolve("etc"));
        Path cfg = etc.resolve("io.midway.agent.cfg");
        Files.writeString(cfg, text);
        Map<String, Object> config = new HashMap<>();
        java.util.Properties p = new java.util.Properties();
        p.load(new java.io.StringReader(text));
        p.forEach((k, v) -> config.put((String) k, v));
        config.put("service.pid", "io.midway.agent");
        config.put(EffectiveConfiguration.FILEINSTALL_FILENAME, cfg.toUri().toString());
        return config;
    }

    private static SettingDTO find(SettingDTO[] settings, String key) {
        return Arrays.stream(settings).filter(s -> s.key.equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no setting " + key));
    }

    private SettingDTO[] describe(Map<String, Object> config, Map<String, String> framework, Map<String, String> env,
            Path home) {
        UnaryOperator<String> fw = framework::get;
        AgentSettings settings = AgentSettings.from(config(config), fw, "the-host", v -> "decrypted");
        return new EffectiveConfiguration(config, fw, env::get, home).describe(settings);
    }

    @Test
    public void environmentWinsAndTheOverriddenFileValueIsNamed() throws Exception {
        Path home = tmp.getRoot().toPath();
        Map<String, Object> config = fromFile(home, "instance.url = http://localhost:8080\nagent.user = mid\nthreads.standard = 7\n");
        SettingDTO[] s = describe(config,
                Map.of("midway.instance.url", "http://10.1.2.3:9090", "midway.agent.name", "lab-7",
                        "midway.data", home.resolve("data/agent").toString()),
                Map.of("MIDWAY_INSTANCE_URL", "http://10.1.2.3:9090", "MIDWAY_AGENT_NAME", "lab-7",
                        "MIDWAY_DATA", home.resolve("data/agent").toString()), home);

        SettingDTO url = find(s, "instance.url");
        assertEquals("http://10.1.2.3:9090", url.value);
        assertEquals(SettingDTO.SOURCE_ENVIRONMENT, url.source);
        assertEquals("MIDWAY_INSTANCE_URL", url.origin);
        assertEquals("http://localhost:8080", url.overridden);

        SettingDTO name = find(s, "agent.name");
        assertEquals("lab-7", name.value);
        assertEquals(SettingDTO.SOURCE_ENVIRONMENT, name.source);
        assertNull("the file sets no name", name.overridden);

        SettingDTO user = find(s, "agent.user");
        assertEquals("mid", user.value);
        assertEquals(SettingDTO.SOURCE_FILE, user.source);
        assertEquals("etc/io.midway.agent.cfg", user.origin);

        SettingDTO threads = find(s, "threads.standard");
        assertEquals("7", threads.value);
        assertEquals(SettingDTO.SOURCE_FILE, threads.source);

        SettingDTO expedited = find(s, "threads.expedited");
        assertEquals("20", expedited.value);
        assertEquals(SettingDTO.SOURCE_DEFAULT, expedited.source);
        assertNull(expedited.origin);

        assertEquals(SettingDTO.SOURCE_ENVIRONMENT, find(s, "midway.data").source);
        assertEquals(SettingDTO.SOURCE_DEFAULT, find(s, "midway.instance.cert").source);
    }

    @Test
    public void aValueThatDiffersFromTheFileWasSetInTheConsole() throws Exception {
        Path home = tmp.getRoot().toPath();
        Map<String, Object> config = fromFile(home, "instance.url = http://localhost:8080\npoll.wait.ms = 30000\n");
        config.put("poll.wait.ms", 5000L);
        config.put("agent.name", "edited-in-console");
        SettingDTO[] s = describe(config, Map.of(), Map.of(), home);
        SettingDTO poll = find(s, "poll.wait.ms");
        assertEquals("5000", poll.value);
        assertEquals(SettingDTO.SOURCE_CONSOLE, poll.source);
        SettingDTO name = find(s, "agent.name");
        assertEquals("edited-in-console", name.value);
        assertEquals(SettingDTO.SOURCE_CONSOLE, name.source);
        assertEquals(SettingDTO.SOURCE_FILE, find(s, "instance.url").source);

        // a save on the Configuration page drops FileInstall's file name: the file in etc/ still tells
        config.remove(EffectiveConfiguration.FILEINSTALL_FILENAME);
        SettingDTO[] saved = describe(config, Map.of(), Map.of(), home);
        assertEquals(SettingDTO.SOURCE_FILE, find(saved, "instance.url").source);
        assertEquals("etc/io.midway.agent.cfg", find(saved, "instance.url").origin);
        assertEquals(SettingDTO.SOURCE_CONSOLE, find(saved, "poll.wait.ms").source);
    }

    @Test
    public void withoutAnyConfigurationEverythingIsTheDefault() {
        SettingDTO[] s = describe(Map.of(), Map.of(), Map.of(), null);
        SettingDTO url = find(s, "instance.url");
        assertEquals("https://localhost:8443", url.value);
        assertEquals(SettingDTO.SOURCE_DEFAULT, url.source);
        SettingDTO name = find(s, "agent.name");
        assertEquals("the-host", name.value);
        assertEquals(SettingDTO.SOURCE_DEFAULT, name.source);
        assertEquals("not set", find(s, "agent.password").value);
    }

    @Test
    public void aFrameworkPropertyWithoutTheVariableIsNamedAsSuch() {
        SettingDTO url = find(describe(Map.of(), Map.of("midway.instance.url", "http://x:1"), Map.of(), null),
                "instance.url");
        assertEquals(SettingDTO.SOURCE_FRAMEWORK, url.source);
        assertEquals("midway.instance.url", url.origin);
    }

    @Test
    public void thePasswordIsNeverShownOnlyWhetherItIsSet() throws Exception {
        Path home = tmp.getRoot().toPath();
        Path data = Files.createDirectories(home.resolve("data/agent"));
        Map<String, Object> config = fromFile(home, "agent.password = encrypted:AAAA\n");
        SettingDTO[] fromEnv = describe(config,
                Map.of("midway.agent.password", "s3cret-pw", "midway.data", data.toString()),
                Map.of("MIDWAY_AGENT_PASSWORD", "s3cret-pw"), home);
        SettingDTO pw = find(fromEnv, "agent.password");
        assertTrue(pw.secret);
        assertEquals("set", pw.value);
        assertEquals(SettingDTO.SOURCE_ENVIRONMENT, pw.source);
        assertEquals("set", pw.overridden);

        Files.writeString(data.resolve("agent.password"), "s3cret-pw\n");
        SettingDTO fromDataFile = find(describe(config,
                Map.of("midway.agent.password", "s3cret-pw", "midway.data", data.toString()), Map.of(), home),
                "agent.password");
        assertEquals(SettingDTO.SOURCE_FILE, fromDataFile.source);
        assertEquals("data/agent/agent.password", fromDataFile.origin);

        SettingDTO encrypted = find(describe(config, Map.of("midway.data", data.toString()), Map.of(), home),
                "agent.password");
        assertEquals("set (encrypted)", encrypted.value);
        assertEquals(SettingDTO.SOURCE_FILE, encrypted.source);

        String table = ConfigCommandAccess.table(fromEnv);
        assertFalse("mid:config never prints the password", table.contains("s3cret-pw"));
        assertFalse(table.contains("encrypted:AAAA"));
    }

    @Test
    public void aValueFromTheInstanceIsNamedWithTheFileValueItOverrides() throws Exception {
        Path home = tmp.getRoot().toPath();
        Map<String, Object> config = fromFile(home, "threads.standard = 25\npoll.wait.ms = 30000\n");
        // as delivered: the plugin laid the instance's values over the file's
        config.put("threads.standard", "8");
        config.put("threads.expedited", "12");
        UnaryOperator<String> fw = Map.<String, String>of()::get;
        AgentSettings settings = AgentSettings.from(config(config), fw, "the-host", v -> "decrypted");
        SettingDTO[] s = new EffectiveConfiguration(config, fw, Map.<String, String>of()::get, home)
                .fromInstance(Map.of("threads.standard", new CentralSettings.Value("8", "global_property"),
                        "threads.expedited", new CentralSettings.Value("12", "parameter")))
                .describe(settings);
        SettingDTO standard = find(s, "threads.standard");
        assertEquals("8", standard.value);
        assertEquals(SettingDTO.SOURCE_GLOBAL_PROPERTY, standard.source);
        assertEquals("instance: property for all agents (ecc_agent_property)", standard.origin);
        assertEquals("25", standard.overridden);
        SettingDTO expedited = find(s, "threads.expedited");
        assertEquals(SettingDTO.SOURCE_PARAMETER, expedited.source);
        assertEquals("not in the file: nothing overridden", null, expedited.overridden);
        assertEquals(SettingDTO.SOURCE_FILE, find(s, "poll.wait.ms").source);

        String table = ConfigCommandAccess.table(s);
        assertTrue(table, table.contains("global_property instance: property for all agents (ecc_agent_property)"
                + " (over 25 in the etc/ file)"));
        assertFalse("no environment note for values from the instance", table.contains("Settings from the environment"));
    }

    /** An AgentConfiguration over the given properties, the defaults for the rest (as DS makes it). */
    static AgentConfiguration config(Map<String, Object> properties) {
        return (AgentConfiguration) java.lang.reflect.Proxy.newProxyInstance(AgentConfiguration.class.getClassLoader(),
                new Class<?>[] {AgentConfiguration.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class || method.getDeclaringClass() == Annotation.class) {
                        return method.getName().equals("annotationType") ? AgentConfiguration.class : null;
                    }
                    Object value = properties.get(method.getName().replace('_', '.'));
                    Object fallback = method.getDefaultValue();
                    if (value == null) {
                        return fallback;
                    }
                    Class<?> type = method.getReturnType();
                    String text = value.toString().trim();
                    if (type == int.class) {
                        return Integer.parseInt(text);
                    }
                    if (type == long.class) {
                        return Long.parseLong(text);
                    }
                    return text;
                });
    }
}
