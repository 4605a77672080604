package io.midway.instance.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Set;

import org.junit.Test;
import org.osgi.framework.ServiceReference;

import jakarta.servlet.Servlet;

/**
 * The API counts as up only once every API servlet is registered and the HTTP server's runtime
 * maps it, and not after one goes.
 */
public class ApiReadinessTest {

    @SuppressWarnings("unchecked")
    private static ServiceReference<Servlet> servlet(String name) {
        return (ServiceReference<Servlet>) Proxy.newProxyInstance(ApiReadinessTest.class.getClassLoader(),
                new Class<?>[] {ServiceReference.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getProperty" -> "osgi.http.whiteboard.servlet.name".equals(args[0]) ? name : null;
                    case "hashCode" -> name.hashCode();
                    case "equals" -> proxy == args[0];
                    case "toString" -> name;
                    default -> null;
                });
    }

    private static org.osgi.service.servlet.runtime.HttpServiceRuntime runtime(java.util.Collection<String> servlets) {
        org.osgi.service.servlet.runtime.dto.RuntimeDTO dto = new org.osgi.service.servlet.runtime.dto.RuntimeDTO();
        org.osgi.service.servlet.runtime.dto.ServletContextDTO context = new org.osgi.service.servlet.runtime.dto.ServletContextDTO();
        context.servletDTOs = servlets.stream().map(name -> {
            org.osgi.service.servlet.runtime.dto.ServletDTO s = new org.osgi.service.servlet.runtime.dto.ServletDTO();
            s.name = name;
            return s;
        }).toArray(org.osgi.service.servlet.runtime.dto.ServletDTO[]::new);
        dto.servletContextDTOs = new org.osgi.service.servlet.runtime.dto.ServletContextDTO[] {context};
        return (org.osgi.service.servlet.runtime.HttpServiceRuntime) Proxy.newProxyInstance(
                ApiReadinessTest.class.getClassLoader(),
                new Class<?>[] {org.osgi.service.servlet.runtime.HttpServiceRuntime.class},
                (proxy, method, args) -> method.getName().equals("getRuntimeDTO") ? dto : null);
    }

    @Test
    public void readyOnlyWithEveryApiServlet() {
        ApiReadiness readiness = new ApiReadiness();
        assertFalse(readiness.ready());
        for (String name : ApiReadiness.API_SERVLETS) {
            if (!name.equals("midway-ecc-poll")) {
                readiness.added(servlet(name));
            }
        }
        assertFalse("one missing", readiness.ready());
        assertEquals(Set.of("midway-ecc-poll"), readiness.missing());
        ServiceReference<Servlet> poll = servlet("midway-ecc-poll");
        readiness.added(poll);
        assertFalse("registered, but no HTTP server maps them yet", readiness.ready());
        java.util.List<String> mapped = new java.util.ArrayList<>(ApiReadiness.API_SERVLETS);
        mapped.remove("midway-table-api");
        readiness.setRuntime(runtime(mapped));
        assertFalse("the server has not mapped the Table API yet", readiness.ready());
        readiness.setRuntime(runtime(ApiReadiness.API_SERVLETS));
        assertTrue(readiness.ready());
        readiness.removed(poll);
        assertFalse("a servlet that goes makes it not ready again", readiness.ready());
    }
}
