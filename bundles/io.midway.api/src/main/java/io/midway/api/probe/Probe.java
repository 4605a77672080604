package io.midway.api.probe;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A probe runs one kind of work inside the private network.
 *
 * <p>Register an implementation as an OSGi service with the service property
 * {@value #TOPIC_PROPERTY} set to the ECC topic it handles, most simply with the
 * {@link ProbeTopic} component property type:
 *
 * <pre>
 * &#64;Component
 * &#64;ProbeTopic("TCPScan")
 * public class TcpScanProbe implements Probe { ... }
 * </pre>
 *
 * <p>The agent calls {@link #run(ProbeRequest)} on one of its worker threads; a probe may block
 * for as long as its work takes and should honour thread interruption. It returns the result
 * payload, or throws {@link ProbeException} with a message for the operator; the agent turns that
 * into an ECC input record in state {@code error}.
 */
@ConsumerType
public interface Probe {

    /** Service property naming the ECC topic a probe handles (contract). */
    String TOPIC_PROPERTY = "midway.probe.topic";

    /**
     * Runs the work described by the request.
     *
     * @param request the ECC output record to work on
     * @return the result, never {@code null}
     * @throws ProbeException when the work cannot be done; its message reaches the instance as the
     *     record's {@code error_string}
     * @throws InterruptedException when the agent stops the work
     */
    ProbeResult run(ProbeRequest request) throws ProbeException, InterruptedException;
}
