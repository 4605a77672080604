package io.midway.protocol.snmp;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import io.midway.api.protocol.Protocol;

/**
 * The {@code snmp} protocol: SNMP v2c (community) and v3 (USM user) GET and GETBULK walks.
 *
 * <pre>
 * &#64;Reference SnmpProtocol snmp;
 *
 * SnmpTarget agent = SnmpTarget.v3("10.0.0.7", "monitor")
 *         .authentication(SnmpAuthProtocol.SHA256, authKey)
 *         .privacy(SnmpPrivacyProtocol.AES128, privacyKey)
 *         .timeout(Duration.ofSeconds(2)).retries(1)
 *         .build();
 * SnmpResult name = snmp.get(agent, List.of("1.3.6.1.2.1.1.5.0"));
 * SnmpResult system = snmp.walk(agent, "1.3.6.1.2.1.1", 1000);
 * </pre>
 *
 * <p>OIDs are numeric, dotted ({@code 1.3.6.1.2.1.1.5.0}, a leading dot is accepted); MIB names
 * are not resolved. Implementations are thread-safe and never log a community or a key.
 */
@ProviderType
public interface SnmpProtocol extends Protocol {

    /** The protocol's name, the value of {@value Protocol#NAME_PROPERTY}. */
    String NAME = "snmp";

    /**
     * Reads the given instances with GET requests (several OIDs per request).
     *
     * @param target the agent and the security to use
     * @param oids the OIDs of the instances, at least one
     * @return one varbind per OID, in order; an OID the agent does not have comes back with type
     *     {@value SnmpVarbind#NO_SUCH_OBJECT} or {@value SnmpVarbind#NO_SUCH_INSTANCE} and a
     *     {@code null} value; never truncated
     * @throws SnmpTimeoutException when the agent does not answer (a wrong community or privacy
     *     key gets no answer either)
     * @throws SnmpAuthenticationException when an SNMPv3 agent refuses the user (unknown user,
     *     wrong authentication key …)
     * @throws SnmpException when the target cannot be reached or the agent answers with an error
     * @throws IllegalArgumentException when an OID is not a numeric OID
     * @throws InterruptedException when the calling thread is interrupted; the request is abandoned
     */
    SnmpResult get(SnmpTarget target, List<String> oids) throws SnmpException, InterruptedException;

    /**
     * Walks a subtree with GETBULK requests, in OID order, staying inside the subtree. When the
     * subtree holds no instance below it, the walk reads the OID itself with a GET (as
     * {@code snmpwalk} does), so walking a scalar instance gives that instance.
     *
     * @param target the agent and the security to use
     * @param subtree the OID of the subtree, e.g. {@code 1.3.6.1.2.1.1}
     * @param maxVarbinds how many varbinds to return at most (1 or more); when the subtree holds
     *     more, the result is {@link SnmpResult#truncated() truncated}. A walk that takes longer than
     *     the protocol's configured {@code walk.max.duration.ms} also stops and is truncated.
     * @return the varbinds found, in OID order
     * @throws SnmpTimeoutException when the agent does not answer a request of the walk
     * @throws SnmpAuthenticationException when an SNMPv3 agent refuses the user
     * @throws SnmpException when the target cannot be reached, the agent answers with an error or
     *     returns OIDs that do not increase
     * @throws IllegalArgumentException when the subtree is not a numeric OID or maxVarbinds is
     *     not positive
     * @throws InterruptedException when the calling thread is interrupted; the walk is abandoned
     */
    SnmpResult walk(SnmpTarget target, String subtree, int maxVarbinds) throws SnmpException, InterruptedException;
}
