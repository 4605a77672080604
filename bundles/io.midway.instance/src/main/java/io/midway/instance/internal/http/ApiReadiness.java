package io.midway.instance.internal.http;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import jakarta.servlet.Servlet;

/**
 * Whether the whole instance API is up: every one of the instance's API servlets is registered
 * with the HTTP whiteboard. Until then {@code instance_info} and every {@code /api/...} path answer
 * 503 with {@code Retry-After}, so that a client that waits for {@code instance_info} never meets a
 * 404 from a part of the API that is still starting.
 */
@Component(service = ApiReadiness.class)
public class ApiReadiness {

    /** The whiteboard names of the API servlets the instance registers. */
    static final Set<String> API_SERVLETS = Set.of("midway-agent-cores", "midway-agent-registration",
            "midway-agent-selection", "midway-agent-status", "midway-credential-affinity",
            "midway-credential-affinity-table", "midway-credential-delivery", "midway-credential-table",
            "midway-ecc-input", "midway-ecc-poll", "midway-events", "midway-file-sync", "midway-file-sync-admin",
            "midway-instance-info", "midway-stats-api", "midway-table-api", "midway-upgrade-admin",
            "midway-user-table");

    /** Readiness for servlets used outside OSGi (tests): always ready. */
    public static final ApiReadiness ALWAYS = new ApiReadiness() {
        @Override
        public boolean ready() {
            return true;
        }
    };

    private final Set<String> present = ConcurrentHashMap.newKeySet();

    @Reference(service = Servlet.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, target = "(osgi.http.whiteboard.servlet.name=midway-*)",
            unbind = "removed")
    void added(ServiceReference<Servlet> servlet) {
        Object name = servlet.getProperty("osgi.http.whiteboard.servlet.name");
        if (name != null) {
            present.add(name.toString());
        }
    }

    void removed(ServiceReference<Servlet> servlet) {
        Object name = servlet.getProperty("osgi.http.whiteboard.servlet.name");
        if (name != null) {
            present.remove(name.toString());
        }
    }

    /** @return whether every API servlet is registered */
    public boolean ready() {
        return present.containsAll(API_SERVLETS);
    }

    /** @return the API servlets not registered yet */
    public Set<String> missing() {
        Set<String> missing = new TreeSet<>(API_SERVLETS);
        missing.removeAll(present);
        return missing;
    }
}
