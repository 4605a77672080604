package io.midway.agent.internal.work;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeRequest;
import io.midway.api.probe.ProbeResult;

public class ProbeRegistryTest {

    /** A distinct probe object per call. */
    private static Probe probe() {
        return new Probe() {
            @Override
            public ProbeResult run(ProbeRequest request) {
                return ProbeResult.of(Map.of());
            }
        };
    }

    @Test
    public void highestRankingWinsThenTheOldestService() {
        ProbeRegistry registry = new ProbeRegistry();
        Probe a = probe();
        Probe b = probe();
        Probe c = probe();
        registry.add(a, Map.of(Probe.TOPIC_PROPERTY, "T", "service.id", 3L));
        registry.add(b, Map.of(Probe.TOPIC_PROPERTY, "T", "service.id", 4L));
        assertSame(a, registry.find("T").orElseThrow());
        Map<String, Object> cProperties = Map.of(Probe.TOPIC_PROPERTY, "T", "service.id", 9L, "service.ranking", 5);
        registry.add(c, cProperties);
        assertSame(c, registry.find("T").orElseThrow());
        registry.remove(c, cProperties);
        assertSame(a, registry.find("T").orElseThrow());
        assertEquals(List.of("T"), registry.topics());
    }

    @Test
    public void oneObjectRegisteredTwiceIsTwoServices() {
        ProbeRegistry registry = new ProbeRegistry();
        Probe shared = probe();
        Map<String, Object> first = Map.of(Probe.TOPIC_PROPERTY, "A", "service.id", 1L);
        Map<String, Object> second = Map.of(Probe.TOPIC_PROPERTY, "B", "service.id", 2L);
        registry.add(shared, first);
        registry.add(shared, second);
        assertEquals(List.of("A", "B"), registry.topics());
        registry.remove(shared, first);
        assertEquals(List.of("B"), registry.topics());
    }

    @Test
    public void updatedPropertiesMoveAProbeToItsNewTopic() {
        ProbeRegistry registry = new ProbeRegistry();
        Probe a = probe();
        registry.add(a, Map.of(Probe.TOPIC_PROPERTY, "Old", "service.id", 1L));
        registry.add(a, Map.of(Probe.TOPIC_PROPERTY, "New", "service.id", 1L));
        assertTrue(registry.find("Old").isEmpty());
        assertSame(a, registry.find("New").orElseThrow());
        registry.add(a, Map.of("service.id", 1L));
        assertTrue("a probe without a topic is not used", registry.find("New").isEmpty());
        assertEquals(List.of(), registry.topics());
    }

    @Test
    public void topicsAreSortedAndDistinctAndArraysNameSeveralTopics() {
        ProbeRegistry registry = new ProbeRegistry();
        registry.add(probe(), Map.of(Probe.TOPIC_PROPERTY, "Zeta"));
        Probe multi = probe();
        registry.add(multi, Map.of(Probe.TOPIC_PROPERTY, new String[] {"Alpha", "Beta"}));
        registry.add(probe(), Map.of(Probe.TOPIC_PROPERTY, "Zeta"));
        assertEquals(List.of("Alpha", "Beta", "Zeta"), registry.topics());
        assertSame(multi, registry.find("Beta").orElseThrow());
    }
}
