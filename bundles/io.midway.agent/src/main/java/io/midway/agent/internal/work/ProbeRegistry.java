package io.midway.agent.internal.work;

import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.midway.api.probe.Probe;

/**
 * The probe services known now, by topic ({@value Probe#TOPIC_PROPERTY}; a service may name
 * several topics as an array). When several probes handle one topic, the highest
 * {@code service.ranking} wins, then the lowest {@code service.id} (the oldest), as for any OSGi
 * service lookup. Changes are seen by the next lookup.
 */
public final class ProbeRegistry {

    private static final String SERVICE_ID = "service.id";
    private static final String SERVICE_RANKING = "service.ranking";

    /** A registered probe service with the properties that select and order it. */
    public record Entry(Probe probe, Set<String> topics, int ranking, long serviceId) {
    }

    /** Key of a probe registered without a service.id (plain use, tests): the object itself. */
    private record Identity(Probe probe) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Identity that && that.probe == probe;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(probe);
        }
    }

    private static final Comparator<Entry> BEST_FIRST = Comparator.comparingInt(Entry::ranking).reversed()
            .thenComparingLong(Entry::serviceId);

    /** Stand-in ids for probes without a service.id: after any real one. */
    private final AtomicLong localIds = new AtomicLong(Long.MAX_VALUE / 2);
    private final Map<Object, Entry> entries = new ConcurrentHashMap<>();

    /**
     * Adds a probe service, or updates its properties.
     *
     * @param probe the service object
     * @param properties its service properties
     */
    public void add(Probe probe, Map<String, ?> properties) {
        Object key = key(probe, properties);
        Set<String> topics = topics(properties.get(Probe.TOPIC_PROPERTY));
        if (topics.isEmpty()) {
            entries.remove(key);
            return;
        }
        Object ranking = properties.get(SERVICE_RANKING);
        Entry previous = entries.get(key);
        long serviceId = key instanceof Long id ? id
                : previous != null ? previous.serviceId() : localIds.incrementAndGet();
        entries.put(key, new Entry(probe, topics, ranking instanceof Integer value ? value : 0, serviceId));
    }

    /**
     * Removes a probe service.
     *
     * @param probe the service object
     * @param properties its service properties
     */
    public void remove(Probe probe, Map<String, ?> properties) {
        entries.remove(key(probe, properties));
    }

    /**
     * @param topic an ECC topic
     * @return the probe that handles it now
     */
    public Optional<Probe> find(String topic) {
        return entries.values().stream()
                .filter(e -> e.topics().contains(topic))
                .min(BEST_FIRST)
                .map(Entry::probe);
    }

    /** @return the topics handled, sorted, each once */
    public List<String> topics() {
        return entries.values().stream().flatMap(e -> e.topics().stream()).distinct().sorted().toList();
    }

    private static Object key(Probe probe, Map<String, ?> properties) {
        return properties.get(SERVICE_ID) instanceof Number id ? (Object) id.longValue() : new Identity(probe);
    }

    private static Set<String> topics(Object value) {
        Set<String> topics = new LinkedHashSet<>();
        if (value instanceof String[] array) {
            for (String topic : array) {
                addTopic(topics, topic);
            }
        } else if (value instanceof Collection<?> collection) {
            for (Object topic : collection) {
                addTopic(topics, topic);
            }
        } else {
            addTopic(topics, value);
        }
        return Set.copyOf(topics);
    }

    private static void addTopic(Set<String> topics, Object topic) {
        if (topic != null && !topic.toString().isBlank()) {
            topics.add(topic.toString().trim());
        }
    }
}
