package io.midway.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

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
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The whole runtime of both processes in one framework: every bundle resolves and starts, every
 * Midway component activates, and the agent registers with the instance and comes {@code Up}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MidwayRuntimeIT {

    /** The Midway bundles the run configurations must bring. */
    private static final Set<String> MIDWAY_BUNDLES = Set.of("io.midway.api", "io.midway.wire", "io.midway.instance",
            "io.midway.agent", "io.midway.agent.console", "io.midway.probe.tcp");

    @Inject
    private BundleContext context;

    @Inject
    private ServiceComponentRuntime scr;


    /** @return the framework: instance and agent together */
    @Configuration
    public Option[] configuration() {
        return MidwayExamOptions.agentAndInstance("itest-runtime");
    }

    @Test
    public void everyBundleIsActive() {
        List<String> notActive = Await.until("every bundle ACTIVE", this::bundlesNotActive, List::isEmpty);
        assertTrue(String.join("\n", notActive), notActive.isEmpty());

        Set<String> installed = Arrays.stream(context.getBundles()).map(Bundle::getSymbolicName)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> missing = new TreeSet<>(MIDWAY_BUNDLES);
        missing.removeAll(installed);
        assertTrue("Midway bundles missing from the run configurations: " + missing + "; installed: " + installed,
                missing.isEmpty());
    }

    @Test
    public void everyMidwayComponentIsActive() throws InvalidSyntaxException {
        List<ComponentDescriptionDTO> descriptions = midwayComponents();
        assertFalse("no DS components in the io.midway.* bundles", descriptions.isEmpty());

        // A delayed component reports SATISFIED until someone uses its service, and only then
        // shows whether its activation fails (TOOLCHAIN #16): hold every such service while checking.
        List<ServiceReference<?>> used = new ArrayList<>();
        try {
            for (ComponentDescriptionDTO description : descriptions) {
                for (ComponentConfigurationDTO configuration : scr.getComponentConfigurationDTOs(description)) {
                    if (configuration.state == ComponentConfigurationDTO.SATISFIED) {
                        used.addAll(useServices(configuration));
                    }
                }
            }
            List<String> problems = Await.until("every io.midway.* component ACTIVE", this::componentProblems,
                    List::isEmpty);
            assertTrue(String.join("\n", problems), problems.isEmpty());
        } finally {
            used.forEach(context::ungetService);
        }
    }

    @Test
    public void agentRegistersUpAndValidated() throws Exception {
        MidwayFramework midway = new MidwayFramework(context);
        JsonNode agent = midway.awaitAgentUp();
        assertEquals(midway.agentName(), agent.path("name").asText());
        assertEquals("Up", agent.path("status").asText());
        assertTrue("validated: " + agent, agent.path("validated").asBoolean());
        assertFalse("sys_id: " + agent, agent.path("sys_id").asText().isEmpty());
        assertFalse("last_refreshed: " + agent, agent.path("last_refreshed").asText().isEmpty());
        assertEquals("agent listed once", 1, midway.instance().agents().stream()
                .filter(a -> midway.agentName().equals(a.path("name").asText())).count());
    }

    private List<String> bundlesNotActive() {
        List<String> notActive = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            boolean fragment = bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            int expected = fragment ? Bundle.RESOLVED : Bundle.ACTIVE;
            if (bundle.getState() != expected) {
                notActive.add(bundle.getSymbolicName() + " " + bundle.getVersion() + " is " + stateName(bundle.getState())
                        + (fragment ? " (fragment)" : "") + ", location " + bundle.getLocation());
            }
        }
        return notActive;
    }

    private List<ComponentDescriptionDTO> midwayComponents() {
        Bundle[] midwayBundles = Arrays.stream(context.getBundles())
                .filter(b -> b.getSymbolicName() != null && b.getSymbolicName().startsWith("io.midway."))
                .toArray(Bundle[]::new);
        return new ArrayList<>(scr.getComponentDescriptionDTOs(midwayBundles));
    }

    private List<String> componentProblems() {
        List<String> problems = new ArrayList<>();
        for (ComponentDescriptionDTO description : midwayComponents()) {
            String name = description.bundle.symbolicName + "/" + description.name;
            if (!scr.isComponentEnabled(description)) {
                problems.add(name + " is disabled");
                continue;
            }
            Collection<ComponentConfigurationDTO> configurations = scr.getComponentConfigurationDTOs(description);
            if (configurations.isEmpty() && !"require".equals(description.configurationPolicy)) {
                problems.add(name + " has no configuration (policy " + description.configurationPolicy + ")");
            }
            for (ComponentConfigurationDTO configuration : configurations) {
                if (configuration.state != ComponentConfigurationDTO.ACTIVE) {
                    problems.add(name + " is " + componentStateName(configuration)
                            + (configuration.failure != null ? ": " + configuration.failure : ""));
                }
            }
        }
        return problems;
    }

    /** Gets every service of a component configuration, which activates a delayed component. */
    private List<ServiceReference<?>> useServices(ComponentConfigurationDTO configuration)
            throws InvalidSyntaxException {
        List<ServiceReference<?>> used = new ArrayList<>();
        ServiceReference<?>[] references = context.getServiceReferences((String) null,
                "(component.id=" + configuration.id + ")");
        for (ServiceReference<?> reference : references == null ? new ServiceReference<?>[0] : references) {
            if (context.getService(reference) != null) {
                used.add(reference);
            }
        }
        return used;
    }

    private static String componentStateName(ComponentConfigurationDTO configuration) {
        switch (configuration.state) {
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION:
                return "UNSATISFIED_CONFIGURATION";
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE:
                String unsatisfied = Arrays.stream(configuration.unsatisfiedReferences)
                        .map(r -> r.name + " " + r.target).collect(Collectors.joining(", "));
                return "UNSATISFIED_REFERENCE (" + unsatisfied + ")";
            case ComponentConfigurationDTO.SATISFIED:
                return "SATISFIED (not activated when its service was used)";
            case ComponentConfigurationDTO.FAILED_ACTIVATION:
                return "FAILED_ACTIVATION";
            default:
                return "state " + configuration.state;
        }
    }

    private static String stateName(int state) {
        switch (state) {
            case Bundle.INSTALLED:
                return "INSTALLED (not resolved)";
            case Bundle.RESOLVED:
                return "RESOLVED";
            case Bundle.STARTING:
                return "STARTING";
            case Bundle.STOPPING:
                return "STOPPING";
            case Bundle.ACTIVE:
                return "ACTIVE";
            default:
                return "state " + state;
        }
    }
}
