package io.midway.console.support.guard;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a request may change state, against cross-site request forgery: a browser
 * resends Basic credentials to a server on its own, so a page on another site could make an
 * admin's browser {@code POST} to the Web Console or the API. A state-changing request
 * ({@code POST}, {@code PUT}, {@code PATCH}, {@code DELETE}) is refused when its {@code Origin}
 * header (or, without one, its {@code Referer}) names an origin other than the request's own:
 * scheme, host and port, the host and port taken from the {@code Host} header. {@code Origin: null}
 * (a sandboxed or privacy-stripped page) and an unreadable header are refused too. A request with
 * neither header (curl, the agents, scripts: browsers send {@code Origin} on every cross-site
 * {@code POST}) passes. Pure: no servlet types.
 */
public final class SameOrigin {

    /** The methods that change state and are checked; others always pass. */
    public static final Set<String> STATE_CHANGING = Set.of("POST", "PUT", "PATCH", "DELETE");

    private SameOrigin() {
    }

    /**
     * @param method the request method
     * @param origin the {@code Origin} header, null when absent
     * @param referer the {@code Referer} header, null when absent
     * @param scheme the request's scheme ({@code http} or {@code https})
     * @param host the {@code Host} header ({@code host[:port]}), or the server's name and port
     * @return empty when the request may go on, else why it is refused (fit for an answer: the
     *         header's value is shortened and reduced to printable ASCII)
     */
    public static Optional<String> refusal(String method, String origin, String referer, String scheme, String host) {
        if (method == null || !STATE_CHANGING.contains(method.toUpperCase(Locale.ROOT))) {
            return Optional.empty();
        }
        String header;
        String value;
        if (origin != null && !origin.isBlank()) {
            header = "Origin";
            value = origin.trim();
        } else if (referer != null && !referer.isBlank()) {
            header = "Referer";
            value = referer.trim();
        } else {
            return Optional.empty();
        }
        String own = origin(scheme, host);
        if (own == null) {
            return Optional.of(method + " from " + header + " " + printable(value)
                    + " refused: this request names no host of its own to compare with");
        }
        String theirs = originOf(value);
        if (own.equals(theirs)) {
            return Optional.empty();
        }
        return Optional.of(method + " from " + header + " " + printable(value) + " refused: it is not this server's origin "
                + own + ", and a page on another site must not change anything here");
    }

    /**
     * @param scheme the scheme
     * @param host {@code host[:port]}
     * @return {@code scheme://host:port} in lower case with the scheme's default port made explicit,
     *         or null when it cannot be read
     */
    static String origin(String scheme, String host) {
        if (scheme == null || host == null || host.isBlank()) {
            return null;
        }
        return originOf(scheme + "://" + host.trim());
    }

    /**
     * @param url an origin ({@code scheme://host[:port]}) or a URL
     * @return its origin {@code scheme://host:port} in lower case, the default port explicit; null
     *         when it is not an http(s) URL with a host ({@code null}, garbage, {@code file:})
     */
    static String originOf(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (scheme == null || host == null || uri.getRawUserInfo() != null) {
            return null;
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        if (port < 0) {
            port = switch (scheme) {
                case "http" -> 80;
                case "https" -> 443;
                default -> -1;
            };
        }
        if (port < 0) {
            return null;
        }
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port;
    }

    private static String printable(String value) {
        String v = value.length() > 100 ? value.substring(0, 100) + "..." : value;
        StringBuilder out = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}
