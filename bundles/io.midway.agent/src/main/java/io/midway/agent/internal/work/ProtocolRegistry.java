package io.midway.agent.internal.work;

import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.midway.api.protocol.Protocol;

/**
 * The protocol services known now ({@value Protocol#NAME_PROPERTY}; a service may name several
 * as an array). Their names, sorted and each once, are the capabilities the agent advertises.
 */
public final class ProtocolRegistry {

    private static final String SERVICE_ID = "service.id";

    private final Map<Object, Set<String>> byService = new HashMap<>();
    private final Map<Protocol, Object> withoutId = new IdentityHashMap<>();

    /**
     * Adds a protocol service, or updates its properties.
     *
     * @param protocol the service object
     * @param properties its service properties
     * @return whether the capabilities changed
     */
    public synchronized boolean add(Protocol protocol, Map<String, ?> properties) {
        List<String> before = names();
        Set<String> names = names(properties.get(Protocol.NAME_PROPERTY));
        Object key = key(protocol, properties);
        if (names.isEmpty()) {
            byService.remove(key);
        } else {
            byService.put(key, names);
        }
        return !before.equals(names());
    }

    /**
     * Removes a protocol service.
     *
     * @param protocol the service object
     * @param properties its service properties
     * @return whether the capabilities changed
     */
    public synchronized boolean remove(Protocol protocol, Map<String, ?> properties) {
        List<String> before = names();
        byService.remove(key(protocol, properties));
        if (!(properties.get(SERVICE_ID) instanceof Number)) {
            withoutId.remove(protocol);
        }
        return !before.equals(names());
    }

    /** @return the protocol names, sorted, each once */
    public synchronized List<String> names() {
        Set<String> all = new TreeSet<>();
        byService.values().forEach(all::addAll);
        return List.copyOf(all);
    }

    private Object key(Protocol protocol, Map<String, ?> properties) {
        if (properties.get(SERVICE_ID) instanceof Number id) {
            return id.longValue();
        }
        return withoutId.computeIfAbsent(protocol, p -> new Object());
    }

    private static Set<String> names(Object value) {
        Set<String> names = new TreeSet<>();
        if (value instanceof String[] array) {
            for (String name : array) {
                addName(names, name);
            }
        } else if (value instanceof Collection<?> collection) {
            collection.forEach(name -> addName(names, name));
        } else {
            addName(names, value);
        }
        return names;
    }

    private static void addName(Set<String> names, Object name) {
        if (name != null && !name.toString().isBlank()) {
            names.add(name.toString().trim());
        }
    }
}
