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
import org.junit.Before;
import org.junit.Test;

import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.internal.ServiceFixture;

/** {@code instance:control} in a real Gogo command processor over a real instance on H2. */
public class AgentControlCommandTest extends ServiceFixture {

    private CommandSession session;

    @Before
    public void setUpShell() {
        CommandProcessorImpl processor = new CommandProcessorImpl(null);
        processor.addCommand("instance", new AgentControlCommand(service.outputs()), "control");
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
    }

    private String run(String line) throws Exception {
        Object result = session.execute(line);
        return result == null ? "" : result.toString();
    }

    private List<QueueRecord> commands() {
        return service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE,
                "queue=output^topic=SystemCommand^ORDERBYsys_created_on", null, null, null));
    }

    @Test
    public void eachCommandEnqueuesItsSystemCommandAtPriorityZero() throws Exception {
        register("dc-1");
        String out = run("instance:control dc-1 restart");
        QueueRecord r = commands().get(0);
        assertTrue(out, out.startsWith("Enqueued SystemCommand {\"command\":\"restart\",\"mode\":\"in_place\"} for "
                + "mid.server.dc-1 as " + r.sysId()));
        assertTrue(out, out.contains("response_to=" + r.sysId()));
        assertEquals(Integer.valueOf(0), r.priority());
        run("instance:control dc-1 restart-process");
        run("instance:control mid.server.dc-1 stop");
        run("instance:control dc-1 grab-logs");
        assertEquals(List.of("{\"command\":\"restart\",\"mode\":\"in_place\"}", "{\"command\":\"restart\",\"mode\":\"process\"}",
                "{\"command\":\"stop\"}", "{\"command\":\"grab_logs\",\"lines\":500}"),
                commands().stream().map(c -> c.payload().toString()).toList());
        assertTrue(commands().stream().allMatch(c -> "mid.server.dc-1".equals(c.agent())));
    }

    @Test
    public void wrongArgumentsEnqueueNothing() throws Exception {
        register("dc-1");
        assertEquals("instance:control: unknown command 'reboot'; use one of restart, restart-process, stop, grab-logs",
                run("instance:control dc-1 reboot"));
        String usage = run("instance:control dc-1");
        assertTrue(usage, usage.startsWith("instance:control: wrong arguments 'dc-1'"));
        assertEquals(List.of(), commands());
    }
}
