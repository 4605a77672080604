package io.midway.console.support;

import java.util.Optional;

import io.midway.wire.Loopback;

/**
 * Who may use plain (unencrypted) HTTP, in both processes (DESIGN §13, issue 14): this machine
 * always; another host only when the operator opened plain HTTP to the network, and even then never
 * with credentials, which would cross the network in clear. HTTPS requests are not concerned.
 */
public final class PlainHttpRule {

    private PlainHttpRule() {
    }

    /**
     * @param secure whether the request came over TLS
     * @param remoteAddress the caller's address (a literal IP, as the servlet container gives it)
     * @param credentials whether it carries an {@code Authorization} header
     * @param openToOtherHosts whether the operator opened plain HTTP to other hosts
     * @param httpsHint how to reach this server over HTTPS, for the message (e.g. {@code port 8443}), or {@code null}
     * @return why the request is refused (403), or empty to let it through
     */
    public static Optional<String> refusal(boolean secure, String remoteAddress, boolean credentials,
            boolean openToOtherHosts, String httpsHint) {
        if (secure || Loopback.isLoopback(remoteAddress)) {
            return Optional.empty();
        }
        String https = httpsHint == null ? "use HTTPS" : "use HTTPS (" + httpsHint + ")";
        if (!openToOtherHosts) {
            return Optional.of("plain HTTP is served to this machine only: " + https);
        }
        if (credentials) {
            return Optional.of("credentials are not accepted over plain HTTP from another host, where anyone on "
                    + "the network could read them: " + https);
        }
        return Optional.empty();
    }
}
