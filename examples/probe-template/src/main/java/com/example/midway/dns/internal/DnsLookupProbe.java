package com.example.midway.dns.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbePayload;
import io.midway.api.probe.ProbeRequest;
import io.midway.api.probe.ProbeResult;
import io.midway.api.probe.ProbeTopic;

/**
 * The probe for ECC topic {@code DNSLookup}: resolves host names on the agent's host.
 * Payload {@code {"names":["db01","localhost"],"timeout_ms":5000}}; result
 * {@code {"results":[{"name":"localhost","addresses":["127.0.0.1"]},{"name":"db01","error":"unknown host"}]}}.
 */
@Component
@ProbeTopic(DnsLookupProbe.TOPIC)
public class DnsLookupProbe implements Probe {

    /** The ECC topic this probe handles. */
    public static final String TOPIC = "DNSLookup";
    static final int MAX_NAMES = 100;

    private static final Logger LOG = LoggerFactory.getLogger(DnsLookupProbe.class);

    /** Lookups run here, so that a slow resolver cannot outlast timeout_ms. */
    private final ExecutorService lookups = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "dns-lookup");
        thread.setDaemon(true);
        return thread;
    });

    @Override
    public ProbeResult run(ProbeRequest request) throws ProbeException, InterruptedException {
        ProbePayload payload = ProbePayload.of(request);
        List<String> names = payload.textList("names", true, "a host name such as db01.example.com");
        if (names.size() > MAX_NAMES) {
            throw new ProbeException(payload.path("names") + " has " + names.size() + " names: at most " + MAX_NAMES + ".");
        }
        long timeoutMs = payload.wholeNumber("timeout_ms", 1, 60_000, 5_000, "milliseconds");

        List<Future<InetAddress[]>> pending = new ArrayList<>();
        names.forEach(name -> pending.add(lookups.submit(() -> InetAddress.getAllByName(name))));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        List<Map<String, Object>> results = new ArrayList<>();
        try {
            for (int i = 0; i < names.size(); i++) {
                results.add(answer(names.get(i), pending.get(i), deadline, timeoutMs));
            }
        } finally {
            pending.forEach(lookup -> lookup.cancel(true));
        }
        LOG.debug("{}: looked up {} name(s)", request, names.size());
        return ProbeResult.of(Map.of("results", results));
    }

    private static Map<String, Object> answer(String name, Future<InetAddress[]> lookup, long deadline, long timeoutMs)
            throws InterruptedException {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", name);
        try {
            InetAddress[] found = lookup.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            result.put("addresses", Arrays.stream(found).map(InetAddress::getHostAddress).distinct().toList());
        } catch (ExecutionException e) {
            result.put("error", e.getCause() instanceof UnknownHostException ? "unknown host" : e.getCause().toString());
        } catch (TimeoutException e) {
            result.put("error", "no answer within " + timeoutMs + " ms");
        }
        return result;
    }

    @Deactivate
    void stop() {
        lookups.shutdownNow();
    }
}
