package io.midway.probe.tcp.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;
import io.midway.api.probe.ProbeResult;
import io.midway.api.probe.ProbeTopic;

/**
 * The probe for ECC topic {@code TCPScan}: which TCP ports of a host, or of every address of a
 * small IPv4 CIDR block, accept a connection.
 *
 * <p>Payload {@code {"host":"10.0.0.0/30","ports":[22,443],"timeout_ms":500}}; result
 * {@code {"hosts":[{"host":"10.0.0.1","open":[22],"closed":[443]}, ...]}}.
 */
@Component(service = Probe.class, configurationPid = TcpScanProbe.PID)
@ProbeTopic(TcpScanProbe.TOPIC)
@Designate(ocd = TcpScanProbe.Config.class)
public class TcpScanProbe implements Probe {

    /** The ECC topic this probe handles. */
    public static final String TOPIC = "TCPScan";

    /** The configuration PID. */
    public static final String PID = "io.midway.probe.tcp";

    private static final Logger LOG = LoggerFactory.getLogger(TcpScanProbe.class);

    /** Configuration of the TCPScan probe. */
    @ObjectClassDefinition(name = "Midway TCPScan probe",
            description = "Scans TCP ports for ECC records with topic TCPScan.")
    public @interface Config {

        /** @return how many connection attempts run at once */
        @AttributeDefinition(name = "Parallel connects", min = "1", max = "1024",
                description = "How many connection attempts one scan keeps in flight at once (1-1024).")
        int max_parallel_connects() default 64;
    }

    private final PortScanner scanner;

    /**
     * @param config the configuration
     */
    @Activate
    public TcpScanProbe(Config config) {
        int parallel = config.max_parallel_connects();
        if (parallel < 1 || parallel > 1024) {
            LOG.warn("max.parallel.connects={} is outside 1-1024; using 64", parallel);
            parallel = 64;
        }
        this.scanner = new PortScanner(parallel);
    }

    @Override
    public ProbeResult run(ProbeRequest request) throws ProbeException, InterruptedException {
        ScanRequest scan = ScanRequest.from(request);
        int[] ports = scan.ports();
        List<ScanRequest.Target> targets = scan.targets();
        LOG.debug("{}: scanning {} address(es) x {} port(s), timeout {} ms", request, targets.size(), ports.length,
                scan.timeoutMs());

        List<InetSocketAddress> endpoints = new ArrayList<>(targets.size() * ports.length);
        for (ScanRequest.Target target : targets) {
            for (int port : ports) {
                endpoints.add(new InetSocketAddress(target.address, port));
            }
        }
        boolean[] open;
        try {
            open = scanner.scan(endpoints, scan.timeoutMs());
        } catch (IOException e) {
            throw new ProbeException("The agent cannot open TCP sockets for the scan: " + e.getMessage(), e);
        }

        List<Map<String, Object>> hosts = new ArrayList<>(targets.size());
        int index = 0;
        int openCount = 0;
        for (ScanRequest.Target target : targets) {
            List<Integer> openPorts = new ArrayList<>();
            List<Integer> closedPorts = new ArrayList<>();
            for (int port : ports) {
                if (open[index++]) {
                    openPorts.add(port);
                } else {
                    closedPorts.add(port);
                }
            }
            openCount += openPorts.size();
            Map<String, Object> host = new LinkedHashMap<>();
            host.put("host", target.address.getHostAddress());
            if (target.name != null) {
                host.put("name", target.name);
            }
            host.put("open", openPorts);
            host.put("closed", closedPorts);
            hosts.add(host);
        }
        LOG.debug("{}: {} of {} connection(s) accepted", request, openCount, endpoints.size());
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("hosts", hosts);
        return ProbeResult.of(payload);
    }
}
