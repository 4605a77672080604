package io.midway.instance.shell.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.console.support.shell.CommandUsage;
import io.midway.instance.api.EccQueue;
import io.midway.instance.api.InstanceException;
import io.midway.instance.api.OutputRequest;
import io.midway.instance.api.QueueRecord;
import io.midway.wire.Json;

/**
 * {@code instance:control <agent> restart|restart-process|stop|grab-logs}: enqueues the
 * {@code SystemCommand} output record for the agent (priority 0), as
 * {@code POST /api/now/table/ecc_queue} and the Agents page's buttons do, and says how to see the
 * agent's answer.
 */
@Component(service = AgentControlCommand.class, property = {
    "osgi.command.scope=instance",
    "osgi.command.function=control",
})
public class AgentControlCommand {

    /** What the operator types, and the payload it sends. */
    static final Map<String, String> PAYLOADS = new LinkedHashMap<>();

    static {
        PAYLOADS.put("restart", "{\"command\":\"restart\",\"mode\":\"in_place\"}");
        PAYLOADS.put("restart-process", "{\"command\":\"restart\",\"mode\":\"process\"}");
        PAYLOADS.put("stop", "{\"command\":\"stop\"}");
        PAYLOADS.put("grab-logs", "{\"command\":\"grab_logs\",\"lines\":500}");
    }

    private final EccQueue queue;

    /** @param queue the ECC queue */
    @Activate
    public AgentControlCommand(@Reference(name = "queue") EccQueue queue) {
        this.queue = queue;
    }

    /**
     * @param agent the agent's name
     * @param what restart, restart-process, stop or grab-logs
     * @return the record enqueued, or why none was
     */
    @Descriptor("send an agent a SystemCommand: restart (core and plug-ins, in place), restart-process (needs a "
            + "supervisor), stop, grab-logs; prints the record to look up for its answer")
    public String control(@Descriptor("the agent's name") String agent,
            @Descriptor("restart | restart-process | stop | grab-logs") String what) {
        String payload = PAYLOADS.get(what);
        if (payload == null) {
            return "instance:control: unknown command '" + what + "'; use one of " + String.join(", ", PAYLOADS.keySet());
        }
        try {
            ObjectNode body = Json.mapper().createObjectNode();
            body.put("agent", agent.startsWith("mid.server.") ? agent : "mid.server." + agent);
            body.put("topic", "SystemCommand");
            body.put("name", what + " from the instance shell");
            body.put("priority", 0);
            body.set("payload", Json.mapper().readTree(payload));
            QueueRecord record = queue.insertOutput(OutputRequest.parse(body));
            return "Enqueued SystemCommand " + payload + " for " + record.agent() + " as " + record.sysId()
                    + "\nIts answer: GET /api/now/table/ecc_queue?sysparm_query=queue=input^response_to=" + record.sysId()
                    + " (or the ECC Queue page of the Web Console)";
        } catch (InstanceException e) {
            return "instance:control: not enqueued: " + e.getMessage() + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param wrong the arguments given @return the usage */
    @Descriptor("wrong arguments: prints the usage")
    public String control(String... wrong) {
        return CommandUsage.of(this, "instance", "control", wrong);
    }
}
