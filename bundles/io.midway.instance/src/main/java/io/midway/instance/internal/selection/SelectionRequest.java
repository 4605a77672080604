package io.midway.instance.internal.selection;

import io.midway.instance.api.SelectionAlgorithm;
import java.util.Optional;

/**
 * What a job needs from an agent.
 *
 * @param application the application, e.g. {@code Discovery}; required
 * @param ip the target IP (the record's {@code source}); empty when there is none, and then IP
 *     rules are skipped
 * @param capability the capability the job needs, e.g. {@code SSH}; empty when none (only the
 *     {@link SelectionAlgorithm#NEW new} algorithm uses it)
 * @param algorithm the algorithm to apply
 */
public record SelectionRequest(String application, String ip, String capability, SelectionAlgorithm algorithm) {

    /**
     * Normalises (blanks stripped, {@code null} → empty) and validates.
     *
     * @throws IllegalArgumentException when the application is missing, the IP is not an address
     *     literal, or the algorithm is missing
     */
    public SelectionRequest {
        application = application == null ? "" : application.strip();
        ip = ip == null ? "" : ip.strip();
        capability = capability == null ? "" : capability.strip();
        if (application.isEmpty()) {
            throw new IllegalArgumentException("application is required (e.g. 'Discovery')");
        }
        if (!ip.isEmpty()) {
            IpRanges.parseAddress(ip);
        }
        if (algorithm == null) {
            throw new IllegalArgumentException("algorithm is required; use 'legacy' or 'new'");
        }
    }

    /**
     * A request from the text of an API call or a record.
     *
     * @param application the application
     * @param ip the target IP, may be empty or {@code null}
     * @param capability the capability, may be empty or {@code null}
     * @param algorithm {@code legacy} or {@code new}
     * @return the request
     * @throws IllegalArgumentException on a bad algorithm name, a missing application or a bad IP
     */
    public static SelectionRequest of(String application, String ip, String capability, String algorithm) {
        return new SelectionRequest(application, ip, capability, SelectionAlgorithm.parse(algorithm));
    }

    /** @return the parsed target address, or empty when the request names none */
    public Optional<IpRanges.Address> address() {
        return ip.isEmpty() ? Optional.empty() : Optional.of(IpRanges.parseAddress(ip));
    }
}
