package io.midway.agent.internal.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.midway.api.agent.SettingDTO;
import io.midway.console.support.shell.CommandUsage;

/**
 * The mid: commands in a real Gogo 1.1 command processor: right arguments run the command, wrong
 * ones (a word where none or a number belongs, too many) answer the usage instead of Gogo's
 * "Cannot coerce" exception.
 */
public class ShellArgumentsTest {

    private MidCommandsTest.StubAgent agent;
    private CommandProcessorImpl processor;
    private CommandSession session;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    @Before
    public void setUp() {
        agent = new MidCommandsTest.StubAgent();
        SettingDTO url = new SettingDTO();
        url.key = "instance.url";
        url.value = "http://10.1.2.3:9090";
        url.source = SettingDTO.SOURCE_ENVIRONMENT;
        url.origin = "MIDWAY_INSTANCE_URL";
        url.overridden = "http://localhost:8080";
        SettingDTO threads = new SettingDTO();
        threads.key = "threads.standard";
        threads.value = "25";
        threads.source = SettingDTO.SOURCE_DEFAULT;
        agent.configuration = new SettingDTO[] {url, threads};
        processor = new CommandProcessorImpl(null);
        MidCommands mid = new MidCommands(agent, agent);
        for (String f : List.of("status", "pause", "resume", "sync", "bundles", "upgrade")) {
            processor.addCommand("mid", mid, f);
        }
        processor.addCommand("mid", new ConfigCommand(agent), "config");
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
    }

    @After
    public void tearDown() {
        session.close();
        processor.stop();
    }

    private String run(String line) throws Exception {
        Object result = session.execute(line);
        return result == null ? "" : result.toString();
    }

    @Test
    public void rightArgumentsStillRunTheCommand() throws Exception {
        assertTrue(run("mid:pause").contains("is paused"));
        assertEquals("pause", agent.lastCall);
        assertTrue(run("mid:resume").contains("resumed"));
        assertTrue(run("mid:status").contains("Connection"));
        assertTrue(run("mid:upgrade").contains("History"));
        assertTrue(run("mid:upgrade check").contains("Not upgrading"));
        String sync = run("mid:sync");
        assertEquals("sync", agent.lastCall);
        assertTrue(sync, sync.startsWith("Revision 7 failed"));
        String config = run("mid:config");
        assertTrue(config, config.contains("instance.url"));
        assertTrue(config, config.contains("http://10.1.2.3:9090"));
        assertTrue(config, config.contains("environment MIDWAY_INSTANCE_URL (overrides http://localhost:8080"));
        assertTrue(config, config.contains("threads.standard"));
        assertTrue(config, config.contains("default"));
    }

    @Test
    public void wrongArgumentsAnswerTheUsage() throws Exception {
        agent.lastCall = null;
        String pause = run("mid:pause foo");
        assertTrue(pause, pause.startsWith("mid:pause: wrong arguments 'foo'"));
        assertTrue(pause, pause.contains("usage:"));
        assertTrue(pause, pause.contains("ask the instance to pause this agent"));
        assertNull("a wrong call does nothing", agent.lastCall);

        String upgrade = run("mid:upgrade check now");
        assertTrue(upgrade, upgrade.contains("mid:upgrade <check>"));
        assertTrue(upgrade, upgrade.contains("show the core's upgrade state"));
        assertFalse("the catch-all itself is not offered as a form", upgrade.contains("<string[]>"));

        for (String line : List.of("mid:status 1 2 3", "mid:resume now", "mid:sync everything", "mid:bundles a b c",
                "mid:config instance.url")) {
            String answer = run(line);
            assertTrue(line + " -> " + answer, answer.contains("wrong arguments") && answer.contains("usage:"));
        }
        assertFalse("no Gogo exception reached the console", console.toString(StandardCharsets.UTF_8).contains("Cannot coerce"));
    }

    /**
     * The rule for every command function of this bundle's shell package, including ones added
     * later: each public {@code @Descriptor} method name has a catch-all overload.
     */
    @Test
    public void everyCommandFunctionHasACatchAll() throws Exception {
        Path dir = Path.of(MidCommands.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(MidCommands.class.getPackageName().replace('.', File.separatorChar));
        Map<String, List<String>> missing = new TreeMap<>();
        int functions = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class") && !p.getFileName().toString().contains("$")).toList()) {
                String name = f.getFileName().toString();
                Class<?> type = Class.forName(MidCommands.class.getPackageName() + "." + name.substring(0, name.length() - 6));
                for (Method m : type.getMethods()) {
                    if (m.getAnnotation(Descriptor.class) == null || CommandUsage.isCatchAll(m)) {
                        continue;
                    }
                    functions++;
                    boolean found = false;
                    for (Method other : type.getMethods()) {
                        found |= other.getName().equals(m.getName()) && CommandUsage.isCatchAll(other);
                    }
                    if (!found) {
                        missing.computeIfAbsent(type.getSimpleName(), k -> new ArrayList<>()).add(m.getName());
                    }
                }
            }
        }
        assertTrue("the command classes were found in " + dir, functions >= 8);
        assertEquals("functions without a catch-all f(String... wrong) that answers the usage", Map.of(), missing);
    }
}
