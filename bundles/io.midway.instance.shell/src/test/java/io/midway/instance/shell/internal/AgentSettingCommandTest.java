package io.midway.instance.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.midway.instance.api.ConfigError;
import io.midway.instance.api.ResolvedSetting;
import io.midway.instance.internal.ServiceFixture;

/**
 * The configuration commands in a real Gogo 1.1 command processor over the real service on H2:
 * properties and parameters set, listed and deleted, refusals with the rule, an agent's resolved
 * settings and its report, and wrong arguments answering the usage.
 */
public class AgentSettingCommandTest extends ServiceFixture {

    private CommandProcessorImpl processor;
    private CommandSession session;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    @Before
    public void setUpShell() {
        AgentSettingCommand command = new AgentSettingCommand(service.agentSettings());
        processor = new CommandProcessorImpl(null);
        for (String f : AgentSettingCommand.FORMS.keySet()) {
            processor.addCommand("instance", command, f);
        }
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
    public void propertiesAndParametersAreSetListedAndDeleted() throws Exception {
        register("dc-1");
        register("dc-2");
        assertEquals("Property threads.standard = 8 for every agent (configuration revision 1).",
                run("instance:property-set threads.standard 8"));
        assertEquals("Property threads.standard = 7 for agent dc-1 (configuration revision 2).",
                run("instance:property-set --agent dc-1 threads.standard 7"));
        assertEquals("Parameter poll.wait.ms = 1000 for agent dc-2 (configuration revision 3).",
                run("instance:parameter-set --agent dc-2 poll.wait.ms 1000"));
        String all = run("instance:property-list");
        String[] lines = all.split("\n");
        assertEquals(all, 3, lines.length);
        assertTrue(all, lines[0].matches("NAME\\s+VALUE\\s+AGENT\\s+UPDATED"));
        assertTrue(all, all.contains("(every agent)") && all.matches("(?s).*threads\\.standard\\s+7\\s+dc-1.*"));
        assertTrue(run("instance:parameter-list --agent dc-2"),
                run("instance:parameter-list --agent dc-2").matches("(?s).*poll\\.wait\\.ms\\s+1000\\s+dc-2.*"));
        assertEquals("no ecc_agent_config records for dc-1", run("instance:parameter-list --agent dc-1"));
        assertEquals("Property threads.standard for agent dc-1 deleted (configuration revision 4).",
                run("instance:property-delete --agent dc-1 threads.standard"));
        assertTrue(run("instance:property-delete --agent dc-1 threads.standard"),
                run("instance:property-delete --agent dc-1 threads.standard").startsWith(
                        "instance:property-delete: no ecc_agent_property record threads.standard for agent dc-1"));
        assertEquals("4", service.agentSettings().revision());
    }

    @Test
    public void refusalsPrintTheRule() throws Exception {
        register("dc-1");
        assertTrue(run("instance:property-set threads.standard abc"), run("instance:property-set threads.standard abc")
                .startsWith("instance:property-set: threads.standard must be a whole number from 1 to 1000, not 'abc'"));
        assertTrue(run("instance:property-set instance.url http://x"), run("instance:property-set instance.url http://x")
                .startsWith("instance:property-set: instance.url cannot be set from the instance"));
        assertTrue(run("instance:parameter-set --agent ghost threads.standard 4"),
                run("instance:parameter-set --agent ghost threads.standard 4").contains("'ghost' is not registered"));
        String usage = run("instance:parameter-set threads.standard 4");
        assertTrue("a parameter needs --agent: " + usage, usage.startsWith(
                "instance:parameter-set: wrong arguments 'threads.standard 4'\nusage:\n  instance:parameter-set --agent"));
        assertTrue(run("instance:agent-config"), run("instance:agent-config").contains("usage:"));
        assertEquals("0", service.agentSettings().revision());
    }

    @Test
    public void agentConfigShowsWhatTheInstanceHoldsAndWhatTheAgentReported() throws Exception {
        register("dc-1");
        run("instance:property-set threads.standard 8");
        run("instance:parameter-set --agent dc-1 threads.expedited 5");
        String before = run("instance:agent-config dc-1");
        assertTrue(before, before.startsWith("Agent dc-1: configuration revision 2 on the instance; no report from the agent yet"));
        assertTrue(before, before.matches("(?s).*threads\\.expedited\\s+5\\s+parameter.*"));
        assertTrue(before, before.matches("(?s).*threads\\.standard\\s+8\\s+global_property.*"));
        service.agentSettings().report("dc-1", "2", "failed",
                List.of(new ConfigError("threads.expedited", "5", "pool busy")),
                List.of(new ResolvedSetting("threads.expedited", "20", "default"),
                        new ResolvedSetting("threads.standard", "8", "global_property")));
        String after = run("instance:agent-config dc-1");
        assertTrue(after, after.contains("the agent reported revision 2: failed"));
        assertTrue(after, after.contains("threads.expedited='5': pool busy"));
        assertTrue(after, after.matches("(?s).*In effect on the agent.*threads\\.expedited\\s+20\\s+default.*"));
        assertEquals("instance:agent-config: no agent 'ghost'; instance:agents lists them",
                run("instance:agent-config ghost"));
    }
}
