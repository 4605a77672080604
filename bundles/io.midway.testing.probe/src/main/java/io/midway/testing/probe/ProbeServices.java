package io.midway.testing.probe;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.TreeSet;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import io.midway.api.probe.Probe;

/**
 * Inside a running framework (a Pax Exam test started with {@link MidwayPaxExam}): finds the
 * {@link Probe} service registered for a topic, as the agent's whiteboard would, and runs a
 * request through it with {@link ProbeHarness}.
 *
 * <pre>
 * &#64;Inject BundleContext context;
 * ProbeOutcome outcome = ProbeServices.run(context,
 *         ProbeHarness.topic("DNSLookup").payload("{\"names\":[\"localhost\"]}"));
 * </pre>
 */
public final class ProbeServices {

    /** How long {@link #run(BundleContext, ProbeHarness)} waits for the probe service. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

    private ProbeServices() {
    }

    /**
     * Runs a request through the probe service of the harness's topic, waiting up to
     * {@link #DEFAULT_WAIT} for the service to appear.
     *
     * @param context a bundle context in the framework, e.g. the test's injected one
     * @param request the request
     * @return the outcome, as {@link ProbeHarness#run(Probe)} gives it
     * @throws InterruptedException when interrupted while waiting or running
     * @throws AssertionError when no probe for the topic is registered in time
     */
    public static ProbeOutcome run(BundleContext context, ProbeHarness request) throws InterruptedException {
        String topic = request.topicName();
        ServiceReference<Probe> reference = await(context, topic, DEFAULT_WAIT);
        Probe probe = context.getService(reference);
        if (probe == null) {
            throw new AssertionError("the probe service for topic '" + topic + "' went away before it could be used");
        }
        try {
            return request.run(probe);
        } finally {
            context.ungetService(reference);
        }
    }

    /**
     * Waits for the probe service of a topic: a {@link Probe} with
     * {@value Probe#TOPIC_PROPERTY}{@code =topic}, the best ranked when there are several.
     *
     * @param context a bundle context in the framework
     * @param topic the ECC topic
     * @param timeout how long to wait
     * @return the service reference
     * @throws InterruptedException when interrupted while waiting
     * @throws AssertionError when none is registered in time; the message lists the topics that are
     */
    public static ServiceReference<Probe> await(BundleContext context, String topic, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(topic, "topic");
        String filter = "(" + Probe.TOPIC_PROPERTY + "=" + escape(topic) + ")";
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                ServiceReference<Probe> best = context.getServiceReferences(Probe.class, filter).stream()
                        .max(ServiceReference::compareTo).orElse(null);
                if (best != null) {
                    return best;
                }
            } catch (InvalidSyntaxException e) {
                throw new IllegalArgumentException("topic '" + topic + "' makes a bad filter: " + e.getMessage(), e);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no Probe service with " + Probe.TOPIC_PROPERTY + "=" + topic + " after " + timeout
                        + "; registered topics: " + registeredTopics(context)
                        + ". Is the probe bundle installed and ACTIVE, and its component satisfied?");
            }
            Thread.sleep(20);
        }
    }

    private static TreeSet<String> registeredTopics(BundleContext context) {
        TreeSet<String> topics = new TreeSet<>();
        try {
            for (ServiceReference<Probe> reference : context.getServiceReferences(Probe.class, null)) {
                Object topic = reference.getProperty(Probe.TOPIC_PROPERTY);
                topics.add(topic instanceof String[] ? Arrays.toString((String[]) topic) : String.valueOf(topic));
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return topics;
    }

    private static String escape(String value) {
        StringBuilder escaped = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }
}
