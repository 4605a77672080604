package io.midway.itests;

import static org.junit.Assert.assertNotNull;

import java.util.Arrays;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The running test framework as the tests inside it see it: the values {@link MidwayExamOptions}
 * chose (read back from the framework properties), the instance's admin API, and the bundles.
 */
public final class MidwayFramework {

    private final BundleContext context;
    private final InstanceAdminClient instance;

    /**
     * @param context the test bundle's context
     */
    public MidwayFramework(BundleContext context) {
        this.context = context;
        this.instance = new InstanceAdminClient(instanceUrl(), property(MidwayExamOptions.ADMIN_PASSWORD));
    }

    /** @return the base URL of the instance, e.g. {@code http://127.0.0.1:40123} */
    public String instanceUrl() {
        return property(MidwayExamOptions.INSTANCE_URL);
    }

    /** @return the name the agent registers under */
    public String agentName() {
        return property(MidwayExamOptions.AGENT_NAME);
    }

    /** @return the instance's Table API, as user {@code admin} */
    public InstanceAdminClient instance() {
        return instance;
    }

    /**
     * @param symbolicName a Bundle-SymbolicName
     * @return the installed bundle with that name
     */
    public Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles())
                .filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("bundle " + symbolicName + " is not installed"));
    }

    /**
     * Waits until the instance lists the agent {@code Up} and validated, as an operator would
     * check before sending work.
     *
     * @return the agent record
     */
    public JsonNode awaitAgentUp() {
        return awaitAgentStatus("Up");
    }

    /**
     * @param status an agent status, e.g. {@code Paused}
     * @return the agent record once the instance lists the agent with that status and validated
     */
    public JsonNode awaitAgentStatus(String status) {
        String name = agentName();
        return Await.until("agent '" + name + "' listed " + status + " and validated in ecc_agent",
                () -> instance.agent(name).orElse(null),
                a -> a != null && status.equals(a.path("status").asText()) && a.path("validated").asBoolean());
    }

    private String property(String key) {
        String value = context.getProperty(key);
        assertNotNull("framework property " + key, value);
        return value;
    }
}
