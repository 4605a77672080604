package io.midway.probe.http.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
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
import io.midway.api.secret.SecretScrubber;
import io.midway.protocol.http.HttpCall;
import io.midway.protocol.http.HttpExchange;
import io.midway.protocol.http.HttpProtocol;

/**
 * The probe for ECC topic {@code HTTPRequest}: one HTTP or HTTPS request through the {@code http}
 * protocol, optionally authenticated with a {@code basic} or {@code api_key} credential.
 *
 * <p>Payload {@code {"method":"GET","url":"https://…","headers":{},"body":"…","credential":"name",
 * "timeout_ms":30000,"max_bytes":1048576}}; result {@code {"status":200,"headers":{},"body":"…",
 * "truncated":false}} (and {@code "body_encoding":"base64"} for a body that is not text).
 *
 * <p>It needs the {@link HttpProtocol} service (static: without the protocol bundle there is no
 * HTTPRequest probe); the {@link Credentials} service is optional and may come and go.
 */
@Component(service = Probe.class)
@ProbeTopic(HttpRequestProbe.TOPIC)
public class HttpRequestProbe implements Probe {

    /** The ECC topic this probe handles. */
    public static final String TOPIC = "HTTPRequest";

    private static final Logger LOG = LoggerFactory.getLogger(HttpRequestProbe.class);

    private final HttpProtocol http;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Credentials credentials;

    /**
     * @param http the HTTP client
     */
    @Activate
    public HttpRequestProbe(@Reference(name = "http") HttpProtocol http) {
        this.http = http;
    }

    /**
     * For tests: a probe with a credential store.
     *
     * @param http the HTTP client
     * @param credentials the credentials, or {@code null}
     */
    HttpRequestProbe(HttpProtocol http, Credentials credentials) {
        this.http = http;
        this.credentials = credentials;
    }

    @Override
    public ProbeResult run(ProbeRequest request) throws ProbeException, InterruptedException {
        RequestPayload payload = RequestPayload.from(request);
        HttpCall.Builder call = HttpCall.to(payload.uri)
                .timeout(Duration.ofMillis(payload.timeoutMs))
                .maxResponseBytes(payload.maxBytes)
                .body(payload.body);
        SecretScrubber scrubber = SecretScrubber.NONE;
        Credentials store = credentials;
        Credential credential = null;
        try {
            call.method(payload.method);
            for (Map.Entry<String, List<String>> header : payload.headers.entrySet()) {
                for (String value : header.getValue()) {
                    call.header(header.getKey(), value);
                }
            }
            if (payload.credential != null) {
                if (store == null) {
                    throw new ProbeException("payload.credential names '" + payload.credential
                            + "', but this agent has no credential store running: cannot authenticate.");
                }
                credential = store.find(payload.credential).orElseThrow(
                        () -> new ProbeException("no credential '" + payload.credential + "' on this agent"));
                scrubber = authenticate(call, credential);
            }
        } catch (IllegalArgumentException e) {
            throw new ProbeException("Bad request: " + scrubber.scrub(e.getMessage()) + ".");
        }
        HttpCall built;
        try {
            built = call.build();
        } catch (IllegalArgumentException e) {
            throw new ProbeException("Bad request: " + scrubber.scrub(e.getMessage()) + ".");
        }

        HttpExchange exchange;
        try {
            exchange = http.send(built);
        } catch (IOException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.debug("{}: {} {} failed: {}", request, payload.method, HttpCall.display(payload.uri), scrubber.scrub(message));
            throw new ProbeException(scrubber.scrub(message));
        }
        LOG.debug("{}: {} {} -> {}", request, payload.method, HttpCall.display(payload.uri), exchange);
        if (credential != null && exchange.status() >= 200 && exchange.status() < 400) {
            store.worked(credential, payload.uri.getHost());
        }
        return ProbeResult.of(ResponsePayload.of(exchange, scrubber));
    }

    /**
     * Adds the credential's authorization to the call.
     *
     * @return a scrubber for the secrets used
     */
    private static SecretScrubber authenticate(HttpCall.Builder call, Credential credential) throws ProbeException {
        String which = "credential '" + credential.name() + "' (" + credential.type().id() + ")";
        try {
            if (credential.type() == CredentialType.BASIC) {
                Optional<String> user = credential.field("user_name");
                if (user.isEmpty() || user.get().isEmpty()) {
                    throw new ProbeException(which + " has no user_name: HTTP basic authentication needs one.");
                }
                String password = credential.secret("password");
                call.basicAuth(user.get(), password);
                String encoded = Base64.getEncoder().encodeToString((user.get() + ":" + password).getBytes(StandardCharsets.UTF_8));
                return SecretScrubber.of(password, encoded);
            }
            if (credential.type() == CredentialType.API_KEY) {
                String key = credential.secret("api_key");
                try {
                    call.bearerToken(key);
                } catch (IllegalArgumentException e) {
                    throw new ProbeException(which + ": the api_key cannot be sent as a bearer token (" + e.getMessage() + ").");
                }
                return SecretScrubber.of(key);
            }
        } catch (CredentialException e) {
            throw new ProbeException(e.getMessage());
        }
        throw new ProbeException(which + " cannot be used for HTTP: the type " + credential.type().id()
                + " is not supported; use a basic or api_key credential.");
    }
}
