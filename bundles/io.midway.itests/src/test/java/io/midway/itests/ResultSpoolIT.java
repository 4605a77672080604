package io.midway.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.api.agent.MidAgent;
import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeResult;

/**
 * A result finished while the instance is unreachable is kept in the agent's spool and reaches
 * the instance once it is back: the instance bundle is stopped while a probe runs, and started
 * again after the probe has finished.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ResultSpoolIT {

    private static final String TOPIC = "SlowTest";

    @Inject
    private BundleContext context;

    @Inject
    private MidAgent agent;

    /** @return the framework: instance and agent together */
    @Configuration
    public Option[] configuration() {
        return MidwayExamOptions.agentAndInstance("itest-spool");
    }

    @Test
    public void resultMadeWhileTheInstanceIsDownIsSpooledAndResent() throws Exception {
        MidwayFramework midway = new MidwayFramework(context);
        midway.awaitAgentUp();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Probe slow = request -> {
            started.countDown();
            release.await();
            return ProbeResult.of(Map.of("finished", true, "sys_id", request.sysId()));
        };
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(Probe.TOPIC_PROPERTY, TOPIC);
        ServiceRegistration<Probe> registration = context.registerService(Probe.class, slow, properties);
        Bundle instance = midway.bundle("io.midway.instance");
        try {
            Await.until("agent lists " + TOPIC, () -> java.util.Arrays.asList(agent.status().probes), p -> p.contains(TOPIC));
            String sysId = midway.instance().insertOutput(midway.agentName(), TOPIC, InstanceAdminClient.object())
                    .path("sys_id").asText();
            assertTrue("the probe started", started.await(30, TimeUnit.SECONDS));

            instance.stop();
            release.countDown();
            Await.until("the result waits in the spool", () -> agent.status().spooled, n -> n == 1);
            assertTrue("the agent knows the instance is away: " + agent.status().connection,
                    !"connected".equals(agent.status().connection) || agent.status().lastError != null);

            instance.start();
            JsonNode input = midway.instance().awaitInput(sysId);
            assertEquals("input " + input, "processed", input.path("state").asText());
            assertEquals(true, input.path("payload").path("finished").asBoolean());
            Await.until("the spool is empty again", () -> agent.status().spooled, n -> n == 0);
            assertEquals("exactly one result recorded", 1,
                    midway.instance().inputsFor(sysId).size());
        } finally {
            release.countDown();
            registration.unregister();
            if (instance.getState() != Bundle.ACTIVE) {
                instance.start();
            }
        }
    }
}
