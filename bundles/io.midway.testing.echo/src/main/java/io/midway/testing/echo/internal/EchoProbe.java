package io.midway.testing.echo.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeRequest;
import io.midway.api.probe.ProbeResult;
import io.midway.api.probe.ProbeTopic;

/**
 * Topic {@code Echo}: answers with the request's payload and the version and id of the bundle
 * that answered, so a test sees which version of the bundle ran. A bundle whose manifest carries
 * {@value #FAIL_HEADER}{@code : true} fails its activation, as a broken plug-in would.
 */
@Component
@ProbeTopic("Echo")
public class EchoProbe implements Probe {

    /** Manifest header that makes activation fail. */
    public static final String FAIL_HEADER = "Midway-Test-Fail-Activation";

    private final Bundle bundle;

    /**
     * @param context this bundle's context
     */
    @Activate
    public EchoProbe(BundleContext context) {
        this.bundle = context.getBundle();
        if ("true".equals(bundle.getHeaders().get(FAIL_HEADER))) {
            throw new IllegalStateException("activation fails on purpose (" + FAIL_HEADER + ": true)");
        }
    }

    @Override
    public ProbeResult run(ProbeRequest request) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("echo", request.payload());
        result.put("bundle_version", bundle.getVersion().toString());
        result.put("bundle_id", bundle.getBundleId());
        return ProbeResult.of(result);
    }
}
