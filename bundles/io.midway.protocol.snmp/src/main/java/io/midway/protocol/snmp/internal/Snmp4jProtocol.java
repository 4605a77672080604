package io.midway.protocol.snmp.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snmp4j.CommunityTarget;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.SNMP4JSettings;
import org.snmp4j.ScopedPDU;
import org.snmp4j.Snmp;
import org.snmp4j.Target;
import org.snmp4j.UserTarget;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.event.ResponseListener;
import org.snmp4j.mp.CounterSupport;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.AuthHMAC128SHA224;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthHMAC256SHA384;
import org.snmp4j.security.AuthHMAC384SHA512;
import org.snmp4j.security.AuthMD5;
import org.snmp4j.security.AuthSHA;
import org.snmp4j.security.Priv3DES;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.PrivAES192;
import org.snmp4j.security.PrivAES256;
import org.snmp4j.security.PrivDES;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityModel;
import org.snmp4j.security.SecurityModels;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.SMIConstants;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

import io.midway.api.protocol.MidwayProtocol;
import io.midway.api.protocol.Protocol;
import io.midway.protocol.snmp.SnmpAuthProtocol;
import io.midway.protocol.snmp.SnmpAuthenticationException;
import io.midway.protocol.snmp.SnmpException;
import io.midway.protocol.snmp.SnmpPrivacyProtocol;
import io.midway.protocol.snmp.SnmpProtocol;
import io.midway.protocol.snmp.SnmpResult;
import io.midway.protocol.snmp.SnmpSecurityLevel;
import io.midway.protocol.snmp.SnmpTarget;
import io.midway.protocol.snmp.SnmpTimeoutException;
import io.midway.protocol.snmp.SnmpVarbind;
import io.midway.protocol.snmp.SnmpVersion;

/**
 * The {@code snmp} protocol on SNMP4J (embedded, private): one UDP transport and one {@link Snmp}
 * session, with its own USM, for the component's life, opened at the first operation (an agent
 * that never polls SNMP holds no socket and no listener thread for it).
 *
 * <p>SNMPv3 users are put into the USM for the time of one operation and removed after it; the
 * operations of one user name are serialized so that two credentials with the same user name
 * never meet in the USM. SNMP4J's own logging stays off (its default), so no PDU and no community
 * is ever logged.
 */
@Component(service = {SnmpProtocol.class, Protocol.class}, configurationPid = Snmp4jProtocol.PID)
@MidwayProtocol(SnmpProtocol.NAME)
@Designate(ocd = SnmpProtocolConfiguration.class)
public class Snmp4jProtocol implements SnmpProtocol {

    /** The configuration PID. */
    public static final String PID = "io.midway.protocol.snmp";

    private static final Logger LOG = LoggerFactory.getLogger(Snmp4jProtocol.class);
    private static final Pattern OID_TEXT = Pattern.compile("\\.?[0-9]+(\\.[0-9]+)+");
    private static final int USER_LOCKS = 32;
    private static final Map<OID, String> USM_REPORTS = Map.of(
            SnmpConstants.usmStatsUnsupportedSecLevels, "usmStatsUnsupportedSecLevels",
            SnmpConstants.usmStatsNotInTimeWindows, "usmStatsNotInTimeWindows",
            SnmpConstants.usmStatsUnknownUserNames, "usmStatsUnknownUserNames",
            SnmpConstants.usmStatsUnknownEngineIDs, "usmStatsUnknownEngineIDs",
            SnmpConstants.usmStatsWrongDigests, "usmStatsWrongDigests",
            SnmpConstants.usmStatsDecryptionErrors, "usmStatsDecryptionErrors");

    private final int varbindsPerRequest;
    private final long walkMaxDurationMs;
    /** Guards {@link #session} and {@link #closed}. */
    private final Object sessionLock = new Object();
    private Session session;
    private boolean closed;
    private final ReentrantLock[] userLocks = new ReentrantLock[USER_LOCKS];

    /**
     * @param config the configuration
     */
    @Activate
    public Snmp4jProtocol(SnmpProtocolConfiguration config) {
        int perRequest = config.varbinds_per_request();
        if (perRequest < 1 || perRequest > 1000) {
            LOG.warn("varbinds.per.request={} is outside 1-1000; using 50", perRequest);
            perRequest = 50;
        }
        this.varbindsPerRequest = perRequest;
        long walkMs = config.walk_max_duration_ms();
        if (walkMs < 1000 || walkMs > 3_600_000) {
            LOG.warn("walk.max.duration.ms={} is outside 1000-3600000; using 120000", walkMs);
            walkMs = 120_000;
        }
        this.walkMaxDurationMs = walkMs;
        for (int i = 0; i < USER_LOCKS; i++) {
            userLocks[i] = new ReentrantLock();
        }
        // Deliver the agent's unauthenticated USM reports (wrong digest, decryption error) as the
        // answer, so that a wrong key is reported as such instead of ending in a timeout. The
        // setting is static, but SNMP4J is private to this bundle.
        SNMP4JSettings.setReportSecurityLevelStrategy(SNMP4JSettings.ReportSecurityLevelStrategy.noAuthNoPrivIfNeeded);

    }

    /** The SNMP4J session and its USM. */
    private record Session(Snmp snmp, USM usm) {
    }

    /**
     * @return the session, opened at the first call
     * @throws SnmpException when no UDP socket can be opened, or the component was deactivated
     */
    private Session session() throws SnmpException {
        synchronized (sessionLock) {
            if (closed) {
                throw new SnmpException("the snmp protocol is stopping");
            }
            if (session == null) {
                session = open(varbindsPerRequest, walkMaxDurationMs);
            }
            return session;
        }
    }

    private static Session open(int varbindsPerRequest, long walkMaxDurationMs) throws SnmpException {
        SecurityProtocols protocols = new SecurityProtocols(SecurityProtocols.SecurityProtocolSet.maxCompatibility);
        protocols.addPrivacyProtocol(new Priv3DES());
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        byte[] engineId = MPv3.createLocalEngineID(new OctetString("midway-" + HexFormat.of().formatHex(random)));
        USM usm = new USM(protocols, new OctetString(engineId), 0);
        MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
        dispatcher.addMessageProcessingModel(new MPv2c());
        dispatcher.addMessageProcessingModel(new MPv3(engineId, null, protocols,
                SecurityModels.getCollection(new SecurityModel[] {usm}), CounterSupport.getInstance()));
        try {
            DefaultUdpTransportMapping transport = new DefaultUdpTransportMapping();
            Snmp snmp = new Snmp(dispatcher, transport);
            snmp.listen();
            LOG.info("SNMP client listening on UDP port {} (v2c and v3; {} varbinds per request, walks up to {} ms)",
                    transport.getListenAddress().getPort(), varbindsPerRequest, walkMaxDurationMs);
            return new Session(snmp, usm);
        } catch (IOException e) {
            throw new SnmpException("cannot open the SNMP client's UDP socket: " + e.getMessage(), e);
        }
    }

    /** Closes the session and its UDP socket; pending requests end without an answer. */
    @Deactivate
    public void close() {
        Session open;
        synchronized (sessionLock) {
            closed = true;
            open = session;
        }
        if (open == null) {
            return;
        }
        try {
            open.snmp().close();
        } catch (IOException e) {
            LOG.warn("closing the SNMP session: {}", e.getMessage());
        }
    }

    @Override
    public SnmpResult get(SnmpTarget target, List<String> oids) throws SnmpException, InterruptedException {
        if (oids == null || oids.isEmpty()) {
            throw new IllegalArgumentException("no OID to get");
        }
        List<OID> parsed = new ArrayList<>();
        for (String oid : oids) {
            parsed.add(parse(oid));
        }
        return asUser(target, address -> {
            List<SnmpVarbind> varbinds = new ArrayList<>();
            for (int from = 0; from < parsed.size(); from += varbindsPerRequest) {
                PDU pdu = newPdu(target, PDU.GET);
                for (OID oid : parsed.subList(from, Math.min(parsed.size(), from + varbindsPerRequest))) {
                    pdu.add(new VariableBinding(oid));
                }
                for (VariableBinding binding : exchange(target, address, pdu).getVariableBindings()) {
                    varbinds.add(VarbindFormatter.format(binding));
                }
            }
            LOG.debug("GET {} OID(s) from {} ({}) -> {} varbind(s)", parsed.size(), target.address(), target.security(), varbinds.size());
            return new SnmpResult(varbinds, false);
        });
    }

    @Override
    public SnmpResult walk(SnmpTarget target, String subtree, int maxVarbinds) throws SnmpException, InterruptedException {
        OID root = parse(subtree);
        if (maxVarbinds < 1) {
            throw new IllegalArgumentException("maxVarbinds must be 1 or more, not " + maxVarbinds);
        }
        return asUser(target, address -> walk(target, address, root, maxVarbinds));
    }

    private SnmpResult walk(SnmpTarget target, UdpAddress address, OID root, int maxVarbinds) throws SnmpException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(walkMaxDurationMs);
        List<SnmpVarbind> varbinds = new ArrayList<>();
        OID current = root;
        boolean truncated = false;
        int requests = 0;
        walking:
        while (true) {
            if (System.nanoTime() - deadline > 0) {
                LOG.debug("walk of {} on {} stopped after {} ms (walk.max.duration.ms) with {} varbind(s)", root, target.address(),
                        walkMaxDurationMs, varbinds.size());
                truncated = true;
                break;
            }
            PDU pdu = newPdu(target, PDU.GETBULK);
            pdu.setNonRepeaters(0);
            pdu.setMaxRepetitions(Math.min(varbindsPerRequest, maxVarbinds - varbinds.size() + 1));
            pdu.add(new VariableBinding(current));
            PDU answer = exchange(target, address, pdu);
            requests++;
            if (answer.size() == 0) {
                break;
            }
            for (VariableBinding binding : answer.getVariableBindings()) {
                OID oid = binding.getOid();
                if (binding.getVariable() == null || binding.getVariable().getSyntax() == SMIConstants.EXCEPTION_END_OF_MIB_VIEW
                        || oid == null || !oid.startsWith(root) || oid.size() <= root.size()) {
                    break walking;
                }
                if (oid.compareTo(current) <= 0) {
                    throw new SnmpException("the SNMP agent at " + target.address() + " answered OID " + oid.toDottedString()
                            + " after " + current.toDottedString() + ": OIDs do not increase, walk of " + root.toDottedString()
                            + " stopped");
                }
                if (varbinds.size() >= maxVarbinds) {
                    truncated = true;
                    break walking;
                }
                varbinds.add(VarbindFormatter.format(binding));
                current = oid;
            }
        }
        if (varbinds.isEmpty() && !truncated) {
            // like snmpwalk: a subtree without anything below it may be an instance itself
            PDU pdu = newPdu(target, PDU.GET);
            pdu.add(new VariableBinding(root));
            PDU answer = exchange(target, address, pdu);
            requests++;
            if (answer.size() > 0) {
                SnmpVarbind instance = VarbindFormatter.format(answer.get(0));
                if (!instance.isException() && !SnmpVarbind.NULL.equals(instance.type())) {
                    varbinds.add(instance);
                }
            }
        }
        LOG.debug("walk of {} on {} ({}) -> {} varbind(s){} in {} request(s)", root, target.address(), target.security(),
                varbinds.size(), truncated ? ", truncated" : "", requests);
        return new SnmpResult(varbinds, truncated);
    }

    /** Work done with the target's address, for an SNMPv3 target with its user in the USM. */
    @FunctionalInterface
    private interface Operation {
        SnmpResult run(UdpAddress address) throws SnmpException, InterruptedException;
    }

    private SnmpResult asUser(SnmpTarget target, Operation operation) throws SnmpException, InterruptedException {
        UdpAddress address = address(target);
        if (target.version() != SnmpVersion.V3) {
            return operation.run(address);
        }
        String userName = target.userName().orElseThrow();
        ReentrantLock lock = userLocks[Math.floorMod(userName.hashCode(), USER_LOCKS)];
        lock.lockInterruptibly();
        OctetString securityName = new OctetString(userName);
        USM usm = null;
        try {
            UsmUser user = new UsmUser(securityName,
                    target.authProtocol().map(Snmp4jProtocol::authId).orElse(null),
                    target.authKey().map(OctetString::new).orElse(null),
                    target.privacyProtocol().map(Snmp4jProtocol::privacyId).orElse(null),
                    target.privacyKey().map(OctetString::new).orElse(null));
            usm = session().usm();
            usm.addUser(user);
            return operation.run(address);
        } catch (IllegalArgumentException e) {
            // SNMP4J refuses a key (its message holds no key)
            throw new SnmpException("cannot use SNMPv3 user '" + userName + "' for " + target.address() + ": " + e.getMessage(), e);
        } finally {
            if (usm != null) {
                usm.removeAllUsers(securityName);
            }
            lock.unlock();
        }
    }

    private static UdpAddress address(SnmpTarget target) throws SnmpException {
        try {
            return new UdpAddress(InetAddress.getByName(target.host()), target.port());
        } catch (UnknownHostException e) {
            throw new SnmpException("cannot reach the SNMP agent at " + target.address() + ": unknown host '" + target.host() + "'", e);
        }
    }

    private static PDU newPdu(SnmpTarget target, int type) {
        PDU pdu = target.version() == SnmpVersion.V3 ? new ScopedPDU() : new PDU();
        pdu.setType(type);
        return pdu;
    }

    /** Sends one request and waits for its answer, through SNMP4J's timeout and retries. */
    private PDU exchange(SnmpTarget target, UdpAddress address, PDU request) throws SnmpException, InterruptedException {
        Target<UdpAddress> snmpTarget = snmpTarget(target, address);
        CompletableFuture<ResponseEvent<?>> answer = new CompletableFuture<>();
        ResponseListener listener = new ResponseListener() {
            @Override
            public <A extends org.snmp4j.smi.Address> void onResponse(ResponseEvent<A> event) {
                ((Snmp) event.getSource()).cancel(event.getRequest(), this);
                answer.complete(event);
            }
        };
        long timeoutMs = target.timeout().toMillis();
        // SNMP4J times out after timeout * (retries + 1), plus SNMPv3 engine discovery; wait a bit longer
        long waitMs = timeoutMs * (target.retries() + 1) * (target.version() == SnmpVersion.V3 ? 2 : 1) + 2000;
        ResponseEvent<?> event;
        Snmp snmp = session().snmp();
        try {
            snmp.send(request, snmpTarget, null, listener);
            event = answer.get(waitMs, TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            throw new SnmpException("cannot send to the SNMP agent at " + target.address() + ": " + e.getMessage(), e);
        } catch (TimeoutException e) {
            snmp.cancel(request, listener);
            throw timeout(target);
        } catch (InterruptedException e) {
            snmp.cancel(request, listener);
            throw e;
        } catch (ExecutionException e) {
            throw new SnmpException("SNMP exchange with " + target.address() + " failed: " + e.getCause(), e.getCause());
        }
        if (event.getError() != null) {
            throw new SnmpException("SNMP exchange with " + target.address() + " failed: " + event.getError().getMessage(), event.getError());
        }
        PDU response = event.getResponse();
        if (response == null) {
            throw timeout(target);
        }
        if (response.getType() == PDU.REPORT) {
            throw report(target, response);
        }
        if (response.getErrorStatus() != PDU.noError) {
            int index = response.getErrorIndex();
            String at = index > 0 && index <= request.size() ? ", OID " + request.get(index - 1).getOid().toDottedString() : "";
            throw new SnmpException("the SNMP agent at " + target.address() + " answered " + response.getErrorStatusText()
                    + " (error-status " + response.getErrorStatus() + at + "; " + target.security() + ")");
        }
        return response;
    }

    private static SnmpTimeoutException timeout(SnmpTarget target) {
        return new SnmpTimeoutException("no answer from " + target.address() + " within " + target.timeout().toMillis() + " ms ("
                + target.security() + (target.retries() > 0 ? ", " + target.retries() + (target.retries() == 1 ? " retry" : " retries") : "")
                + ")");
    }

    private static SnmpException report(SnmpTarget target, PDU response) {
        OID oid = response.size() > 0 ? response.get(0).getOid() : null;
        String name = oid == null ? "an empty report" : USM_REPORTS.getOrDefault(oid, oid.toDottedString());
        String user = target.userName().map(u -> "user '" + u + "'").orElse("the request");
        String agent = "the SNMP agent at " + target.address();
        String message;
        if (SnmpConstants.usmStatsUnknownUserNames.equals(oid)) {
            message = agent + " does not know " + user + " (" + name + ")";
        } else if (SnmpConstants.usmStatsWrongDigests.equals(oid)) {
            message = agent + " refused the authentication of " + user + ": wrong authentication key or protocol ("
                    + target.authProtocol().map(SnmpAuthProtocol::label).orElse("none") + "; " + name + ")";
        } else if (SnmpConstants.usmStatsUnsupportedSecLevels.equals(oid)) {
            message = agent + " does not accept security level " + target.securityLevel().label() + " for " + user + " (" + name + ")";
        } else if (SnmpConstants.usmStatsDecryptionErrors.equals(oid)) {
            message = agent + " cannot decrypt the request of " + user + ": wrong privacy key or protocol ("
                    + target.privacyProtocol().map(SnmpPrivacyProtocol::label).orElse("none") + "; " + name + ")";
        } else {
            message = agent + " answered " + user + " with a report: " + name;
        }
        return new SnmpAuthenticationException(message + " [" + target.security() + "]", name);
    }

    private static Target<UdpAddress> snmpTarget(SnmpTarget target, UdpAddress address) {
        Target<UdpAddress> snmpTarget;
        if (target.version() == SnmpVersion.V3) {
            int level;
            SnmpSecurityLevel securityLevel = target.securityLevel();
            if (securityLevel == SnmpSecurityLevel.AUTH_PRIV) {
                level = SecurityLevel.AUTH_PRIV;
            } else if (securityLevel == SnmpSecurityLevel.AUTH_NO_PRIV) {
                level = SecurityLevel.AUTH_NOPRIV;
            } else {
                level = SecurityLevel.NOAUTH_NOPRIV;
            }
            UserTarget<UdpAddress> user = new UserTarget<>(address, new OctetString(target.userName().orElseThrow()), new byte[0], level);
            user.setVersion(SnmpConstants.version3);
            snmpTarget = user;
        } else {
            CommunityTarget<UdpAddress> community = new CommunityTarget<>(address, new OctetString(target.community().orElseThrow()));
            community.setVersion(SnmpConstants.version2c);
            snmpTarget = community;
        }
        snmpTarget.setTimeout(target.timeout().toMillis());
        snmpTarget.setRetries(target.retries());
        return snmpTarget;
    }

    private static OID authId(SnmpAuthProtocol protocol) {
        switch (protocol) {
            case MD5:
                return AuthMD5.ID;
            case SHA:
                return AuthSHA.ID;
            case SHA224:
                return AuthHMAC128SHA224.ID;
            case SHA256:
                return AuthHMAC192SHA256.ID;
            case SHA384:
                return AuthHMAC256SHA384.ID;
            case SHA512:
                return AuthHMAC384SHA512.ID;
            default:
                throw new IllegalArgumentException("unsupported authentication protocol " + protocol);
        }
    }

    private static OID privacyId(SnmpPrivacyProtocol protocol) {
        switch (protocol) {
            case DES:
                return PrivDES.ID;
            case TRIPLE_DES:
                return Priv3DES.ID;
            case AES128:
                return PrivAES128.ID;
            case AES192:
                return PrivAES192.ID;
            case AES256:
                return PrivAES256.ID;
            default:
                throw new IllegalArgumentException("unsupported privacy protocol " + protocol);
        }
    }

    /**
     * @param text a dotted numeric OID, a leading dot allowed
     * @return the OID
     * @throws IllegalArgumentException when it is not one
     */
    static OID parse(String text) {
        String oid = text == null ? "" : text.trim();
        if (!OID_TEXT.matcher(oid).matches()) {
            throw new IllegalArgumentException("'" + shorten(String.valueOf(text))
                    + "' is not a numeric OID: give numbers separated by dots, such as 1.3.6.1.2.1.1.5.0 (MIB names are not resolved)");
        }
        String[] arcs = (oid.startsWith(".") ? oid.substring(1) : oid).split("\\.");
        if (arcs.length > 128) {
            throw new IllegalArgumentException("'" + shorten(oid) + "' has " + arcs.length + " sub-identifiers; an OID has at most 128");
        }
        int[] values = new int[arcs.length];
        for (int i = 0; i < arcs.length; i++) {
            long value;
            try {
                value = Long.parseLong(arcs[i]);
            } catch (NumberFormatException e) {
                value = -1;
            }
            if (value < 0 || value > 0xffffffffL) {
                throw new IllegalArgumentException("'" + shorten(oid) + "' is not a numeric OID: sub-identifier " + arcs[i]
                        + " is larger than 4294967295");
            }
            values[i] = (int) value;
        }
        if (values[0] > 2) {
            throw new IllegalArgumentException("'" + shorten(oid) + "' is not a numeric OID: it must start with 0, 1 or 2");
        }
        return new OID(values);
    }

    private static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
