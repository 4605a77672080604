package io.midway.instance.http.internal;

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
 * with the HTTP whiteboard and mapped by the HTTP server (its runtime lists it: a servlet service
 * the server has not processed yet would leave its path to the fallback's 404). Until then {@code instance_info} and every {@code /api/...} path answer
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
    /** Set once the runtime has been seen serving every API servlet; cleared when one leaves. */
    private volatile boolean mapped;

    private volatile org.osgi.service.servlet.runtime.HttpServiceRuntime runtime;

    /** @param r the HTTP server's runtime, which lists the servlets it maps */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, unbind = "unsetRuntime")
    void setRuntime(org.osgi.service.servlet.runtime.HttpServiceRuntime r) {
        this.runtime = r;
    }

    void unsetRuntime(org.osgi.service.servlet.runtime.HttpServiceRuntime r) {
        if (this.runtime == r) {
            this.runtime = null;
            mapped = false;
        }
    }

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
            mapped = false;
        }
    }

    /** @return whether every API servlet is registered and mapped by the HTTP server */
    public boolean ready() {
        if (!present.containsAll(API_SERVLETS)) {
            return false;
        }
        if (!mapped) {
            mapped = mappedByRuntime();
        }
        return mapped;
    }

    private boolean mappedByRuntime() {
        org.osgi.service.servlet.runtime.HttpServiceRuntime r = runtime;
        if (r == null) {
            return false;
        }
        Set<String> served = new java.util.HashSet<>();
        for (org.osgi.service.servlet.runtime.dto.ServletContextDTO context : r.getRuntimeDTO().servletContextDTOs) {
            for (org.osgi.service.servlet.runtime.dto.ServletDTO servlet : context.servletDTOs) {
                served.add(servlet.name);
            }
        }
        return served.containsAll(API_SERVLETS);
    }

    /** @return the API servlets not registered yet */
    public Set<String> missing() {
        Set<String> missing = new TreeSet<>(API_SERVLETS);
        missing.removeAll(present);
        return missing;
    }
}
