package io.midway.probe.snmp.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.credential.Credential;
import io.midway.api.credential.CredentialException;
import io.midway.api.credential.CredentialType;
import io.midway.api.credential.Credentials;
import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;
import io.midway.api.probe.ProbeResult;
import io.midway.api.probe.ProbeTopic;
import io.midway.protocol.snmp.SnmpAuthProtocol;
import io.midway.protocol.snmp.SnmpAuthenticationException;
import io.midway.protocol.snmp.SnmpException;
import io.midway.protocol.snmp.SnmpPrivacyProtocol;
import io.midway.protocol.snmp.SnmpProtocol;
import io.midway.protocol.snmp.SnmpResult;
import io.midway.protocol.snmp.SnmpTarget;
import io.midway.protocol.snmp.SnmpTimeoutException;
import io.midway.protocol.snmp.SnmpVarbind;
import io.midway.protocol.snmp.SnmpVersion;

/**
 * The probe for ECC topic {@code SNMP}: a GET of OIDs or a walk of subtrees through the {@code snmp}
 * protocol, SNMP v2c with an {@code snmp_community} credential or v3 with an {@code snmpv3} one.
 *
 * <p>Payload {@code {"target":"10.0.0.7","oids":["1.3.6.1.2.1.1"],"operation":"walk",
 * "credential":"name","version":"v2c","timeout_ms":5000,"retries":1,"max_varbinds":10000}}; result
 * {@code {"varbinds":[{"oid":"…","type":"OCTET STRING","value":"…"}],"truncated":false}}.
 *
 * <p>It needs the {@link SnmpProtocol} service (static: without the protocol bundle there is no SNMP
 * probe); the {@link Credentials} service is optional and may come and go.
 */
@Component(service = Probe.class)
@ProbeTopic(SnmpProbe.TOPIC)
public class SnmpProbe implements Probe {

    /** The ECC topic this probe handles. */
    public static final String TOPIC = "SNMP";

    /** The most result bytes (about, as JSON), the MID Server's payload limit: 20 MiB. */
    static final long MAX_RESULT_BYTES = 20L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(SnmpProbe.class);
    private static final String NO_ANSWER_TO_WRONG_COMMUNITY = "SNMP gives no answer to a wrong community";
    private static final String NO_ANSWER_TO_WRONG_PRIVACY_KEY = "SNMPv3 gives no answer to a wrong privacy key";

    private final SnmpProtocol snmp;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Credentials credentials;

    /**
     * @param snmp the SNMP client
     */
    @Activate
    public SnmpProbe(@Reference(name = "snmp") SnmpProtocol snmp) {
        this.snmp = snmp;
    }

    /**
     * For tests: a probe with a credential store.
     *
     * @param snmp the SNMP client
     * @param credentials the credentials, or {@code null}
     */
    SnmpProbe(SnmpProtocol snmp, Credentials credentials) {
        this.snmp = snmp;
        this.credentials = credentials;
    }

    @Override
    public ProbeResult run(ProbeRequest request) throws ProbeException, InterruptedException {
        SnmpRequestPayload payload = SnmpRequestPayload.from(request);
        Credentials store = credentials;
        List<Credential> candidates = candidates(payload, store);

        List<String> failures = new ArrayList<>();
        int timeouts = 0;
        for (Credential credential : candidates) {
            String from = "credential '" + credential.name() + "'";
            try {
                SnmpTarget target = target(payload, credential);
                SnmpResult result = payload.walk ? walk(target, payload) : get(target, payload);
                store.worked(credential, payload.host);
                LOG.debug("{}: SNMP {} of {} OID(s) on {} with {} -> {}", request, payload.walk ? "walk" : "get", payload.oids.size(),
                        payload.address(), from, result);
                return ProbeResult.of(resultPayload(result));
            } catch (SnmpTimeoutException e) {
                timeouts++;
                failures.add(timeoutMessage(payload, credential));
            } catch (SnmpAuthenticationException e) {
                failures.add(e.getMessage() + " (" + from + ")");
            } catch (SnmpException e) {
                // not a matter of credentials (unknown host, an error status): trying others will not help
                throw new ProbeException(e.getMessage() + " (" + from + ")");
            } catch (ProbeException e) {
                if (candidates.size() == 1) {
                    throw e;
                }
                failures.add(e.getMessage());
            }
            LOG.debug("{}: SNMP on {} with {} failed: {}", request, payload.address(), from, failures.get(failures.size() - 1));
        }
        if (candidates.size() == 1) {
            String failure = failures.get(0);
            throw new ProbeException(timeouts == 1 ? failure + "; " + hint(credentialVersion(candidates.get(0))) : failure);
        }
        List<String> names = new ArrayList<>();
        for (Credential credential : candidates) {
            names.add("'" + credential.name() + "' (" + credential.type().id() + ")");
        }
        if (timeouts == candidates.size()) {
            boolean anyV3 = candidates.stream().anyMatch(c -> c.type() == CredentialType.SNMPV3);
            boolean anyV2c = candidates.stream().anyMatch(c -> c.type() == CredentialType.SNMP_COMMUNITY);
            throw new ProbeException("no answer from " + payload.address() + " within " + payload.timeoutMs + " ms"
                    + (payload.retries == 0 ? "" : " (" + retriesText(payload).substring(2) + ")") + " to any of the "
                    + candidates.size() + " credentials tried: " + String.join(", ", names) + "; "
                    + (anyV2c ? NO_ANSWER_TO_WRONG_COMMUNITY : "")
                    + (anyV2c && anyV3 ? " and " : "") + (anyV3 ? NO_ANSWER_TO_WRONG_PRIVACY_KEY : "")
                    + ": check the agent's address and that one of them is right.");
        }
        throw new ProbeException("no SNMP credential worked for " + payload.address() + ": " + String.join("; ", failures));
    }

    private List<Credential> candidates(SnmpRequestPayload payload, Credentials store) throws ProbeException {
        if (payload.credential != null) {
            if (store == null) {
                throw new ProbeException("payload.credential names '" + payload.credential
                        + "', but this agent has no credential store running: no SNMP community or user to use.");
            }
            Credential credential = store.find(payload.credential)
                    .orElseThrow(() -> new ProbeException("no credential '" + payload.credential + "' on this agent"));
            if (credential.type() != CredentialType.SNMP_COMMUNITY && credential.type() != CredentialType.SNMPV3) {
                throw new ProbeException("credential '" + credential.name() + "' (" + credential.type().id()
                        + ") cannot be used for SNMP: the type " + credential.type().id()
                        + " is not supported; use an snmp_community (SNMP v2c) or snmpv3 credential.");
            }
            if (payload.version != null && !payload.version.equals(credentialVersion(credential).label())) {
                throw new ProbeException("payload.version is " + payload.version + ", but credential '" + credential.name() + "' is an "
                        + credential.type().id() + " credential, which is for SNMP " + credentialVersion(credential).label() + ".");
            }
            return List.of(credential);
        }
        if (store == null) {
            throw new ProbeException("payload.credential is absent and this agent has no credential store running: "
                    + "no SNMP community or user to use.");
        }
        List<Credential> candidates = new ArrayList<>();
        List<CredentialType> types = new ArrayList<>();
        if (payload.version == null || payload.version.equals("v2c")) {
            types.add(CredentialType.SNMP_COMMUNITY);
        }
        if (payload.version == null || payload.version.equals("v3")) {
            types.add(CredentialType.SNMPV3);
        }
        for (CredentialType type : types) {
            candidates.addAll(store.candidates(type, payload.host));
        }
        if (candidates.isEmpty()) {
            List<String> ids = types.stream().map(CredentialType::id).toList();
            throw new ProbeException("no active " + String.join(" or ", ids) + " credential for " + payload.host
                    + " on this agent: add one, or name one in payload.credential.");
        }
        return candidates;
    }

    private static SnmpVersion credentialVersion(Credential credential) {
        return credential.type() == CredentialType.SNMPV3 ? SnmpVersion.V3 : SnmpVersion.V2C;
    }

    /** The target for one credential; the secrets live in it only for this request. */
    private static SnmpTarget target(SnmpRequestPayload payload, Credential credential) throws ProbeException {
        String which = "credential '" + credential.name() + "' (" + credential.type().id() + ")";
        SnmpTarget.Builder builder;
        try {
            if (credential.type() == CredentialType.SNMP_COMMUNITY) {
                builder = SnmpTarget.v2c(payload.host, credential.secret("community"));
            } else {
                String user = credential.field("user_name").filter(u -> !u.isBlank())
                        .orElseThrow(() -> new ProbeException(which + " has no user_name: SNMPv3 needs one."));
                builder = SnmpTarget.v3(payload.host, user);
                Optional<String> auth = protocolField(credential, "auth_protocol");
                Optional<String> privacy = protocolField(credential, "privacy_protocol");
                if (auth.isPresent()) {
                    SnmpAuthProtocol protocol = SnmpAuthProtocol.of(auth.get()).orElseThrow(() -> new ProbeException(which
                            + ": auth_protocol '" + auth.get() + "' is not one of MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512, none."));
                    builder.authentication(protocol, credential.secret("auth_key"));
                }
                if (privacy.isPresent()) {
                    SnmpPrivacyProtocol protocol = SnmpPrivacyProtocol.of(privacy.get()).orElseThrow(() -> new ProbeException(which
                            + ": privacy_protocol '" + privacy.get() + "' is not one of DES, 3DES, AES, AES-192, AES-256, none."));
                    builder.privacy(protocol, credential.secret("privacy_key"));
                }
            }
        } catch (CredentialException e) {
            throw new ProbeException(e.getMessage());
        }
        try {
            return builder.port(payload.port).timeout(Duration.ofMillis(payload.timeoutMs)).retries(payload.retries).build();
        } catch (IllegalArgumentException e) {
            throw new ProbeException(which + ": " + e.getMessage() + ".");
        }
    }

    /** @return the protocol name, empty when the field is absent, blank or {@code none} */
    private static Optional<String> protocolField(Credential credential, String field) {
        return credential.field(field).map(String::trim).filter(p -> !p.isEmpty() && !p.equalsIgnoreCase("none"));
    }

    private SnmpResult get(SnmpTarget target, SnmpRequestPayload payload) throws SnmpException, InterruptedException {
        boolean truncated = payload.oids.size() > payload.maxVarbinds;
        List<String> oids = truncated ? payload.oids.subList(0, payload.maxVarbinds) : payload.oids;
        SnmpResult result = snmp.get(target, oids);
        return truncated ? new SnmpResult(result.varbinds(), true) : result;
    }

    private SnmpResult walk(SnmpTarget target, SnmpRequestPayload payload) throws SnmpException, InterruptedException {
        List<SnmpVarbind> varbinds = new ArrayList<>();
        for (String root : payload.oids) {
            int remaining = payload.maxVarbinds - varbinds.size();
            if (remaining == 0) {
                return new SnmpResult(varbinds, true);
            }
            SnmpResult part = snmp.walk(target, root, remaining);
            varbinds.addAll(part.varbinds());
            if (part.truncated()) {
                return new SnmpResult(varbinds, true);
            }
        }
        return new SnmpResult(varbinds, false);
    }

    /** The result payload, cut at {@link #MAX_RESULT_BYTES}. */
    static Map<String, Object> resultPayload(SnmpResult result) {
        List<Map<String, Object>> varbinds = new ArrayList<>();
        boolean truncated = result.truncated();
        long bytes = 0;
        for (SnmpVarbind varbind : result.varbinds()) {
            bytes += 40 + varbind.oid().length() + varbind.type().length() + String.valueOf(varbind.value()).length();
            if (bytes > MAX_RESULT_BYTES) {
                truncated = true;
                break;
            }
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("oid", varbind.oid());
            one.put("type", varbind.type());
            one.put("value", varbind.value());
            if (varbind.hex()) {
                one.put("encoding", "hex");
            }
            varbinds.add(one);
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("varbinds", varbinds);
        payload.put("truncated", truncated);
        return payload;
    }

    private static String timeoutMessage(SnmpRequestPayload payload, Credential credential) {
        String security;
        if (credential.type() == CredentialType.SNMPV3) {
            security = "SNMP v3, user '" + credential.field("user_name").orElse("") + "' from credential '" + credential.name() + "'";
        } else {
            security = "SNMP v2c, community from credential '" + credential.name() + "'";
        }
        return "no answer from " + payload.address() + " within " + payload.timeoutMs + " ms (" + security + retriesText(payload) + ")";
    }

    private static String retriesText(SnmpRequestPayload payload) {
        return payload.retries == 0 ? "" : ", " + payload.retries + (payload.retries == 1 ? " retry" : " retries");
    }

    private static String hint(SnmpVersion version) {
        return version == SnmpVersion.V3 ? NO_ANSWER_TO_WRONG_PRIVACY_KEY : NO_ANSWER_TO_WRONG_COMMUNITY;
    }
}
