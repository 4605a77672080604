package io.midway.console.support.guard;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Optional;

import org.junit.Test;

/** {@link SameOrigin} over a table of requests: method, Origin, Referer, scheme, Host → passes or not. */
public class SameOriginTest {

    private record Case(String method, String origin, String referer, String scheme, String host, boolean passes) {
    }

    private static final Case[] CASES = {
        // No Origin, no Referer: curl, the agents, scripts.
        new Case("POST", null, null, "http", "127.0.0.1:8080", true),
        new Case("DELETE", "", " ", "http", "127.0.0.1:8080", true),
        // Reading never changes anything: any origin may.
        new Case("GET", "http://evil.example", null, "http", "127.0.0.1:8080", true),
        new Case("HEAD", "null", null, "http", "127.0.0.1:8080", true),
        new Case("OPTIONS", "http://evil.example", null, "http", "127.0.0.1:8080", true),
        // Same origin, from the console's own forms.
        new Case("POST", "http://127.0.0.1:8080", null, "http", "127.0.0.1:8080", true),
        new Case("post", "http://127.0.0.1:8080", null, "http", "127.0.0.1:8080", true),
        new Case("POST", "HTTP://LocalHost:8181", null, "http", "localhost:8181", true),
        new Case("PATCH", null, "http://127.0.0.1:8080/system/console/vmstat?x=1", "http", "127.0.0.1:8080", true),
        new Case("POST", "http://gw.lab", null, "http", "gw.lab:80", true),
        new Case("POST", "http://gw.lab:80", null, "http", "gw.lab", true),
        new Case("PUT", "https://gw.lab", null, "https", "gw.lab:443", true),
        new Case("POST", "http://[::1]:8080", null, "http", "[::1]:8080", true),
        // Origin wins over Referer.
        new Case("POST", "http://127.0.0.1:8080", "http://evil.example/page", "http", "127.0.0.1:8080", true),
        new Case("POST", "http://evil.example", "http://127.0.0.1:8080/system/console", "http", "127.0.0.1:8080", false),
        // Another site, another port, another scheme, another name for the same host.
        new Case("POST", "http://evil.example", null, "http", "127.0.0.1:8080", false),
        new Case("DELETE", "http://evil.example", null, "http", "127.0.0.1:8080", false),
        new Case("PUT", "http://evil.example", null, "http", "127.0.0.1:8080", false),
        new Case("PATCH", "http://evil.example", null, "http", "127.0.0.1:8080", false),
        new Case("POST", "http://127.0.0.1:9999", null, "http", "127.0.0.1:8080", false),
        new Case("POST", "https://127.0.0.1:8080", null, "http", "127.0.0.1:8080", false),
        new Case("POST", "http://localhost:8080", null, "http", "127.0.0.1:8080", false),
        new Case("POST", "http://127.0.0.1.evil.example:8080", null, "http", "127.0.0.1:8080", false),
        new Case("POST", null, "http://evil.example/attack.html", "http", "127.0.0.1:8080", false),
        // Unreadable or opaque origins: refused.
        new Case("POST", "null", null, "http", "127.0.0.1:8080", false),
        new Case("POST", "not a url", null, "http", "127.0.0.1:8080", false),
        new Case("POST", "file://", null, "http", "127.0.0.1:8080", false),
        new Case("POST", "ftp://127.0.0.1:8080", null, "http", "127.0.0.1:8080", false),
        new Case("POST", "http://admin@127.0.0.1:8080", null, "http", "127.0.0.1:8080", false),
        // A request naming no host of its own cannot be compared: refused when it names an origin.
        new Case("POST", "http://127.0.0.1:8080", null, "http", null, false),
        new Case("POST", "http://127.0.0.1:8080", null, "http", "", false),
    };

    @Test
    public void eachCase() {
        for (Case c : CASES) {
            Optional<String> refusal = SameOrigin.refusal(c.method, c.origin, c.referer, c.scheme, c.host);
            assertEquals(c.toString() + " -> " + refusal, c.passes, refusal.isEmpty());
        }
    }

    @Test
    public void theRefusalNamesTheOriginsAndKeepsTheHeaderPrintable() {
        String refusal = SameOrigin.refusal("POST", "http://evil.example", null, "http", "127.0.0.1:8080").orElseThrow();
        assertTrue(refusal, refusal.contains("Origin http://evil.example"));
        assertTrue(refusal, refusal.contains("http://127.0.0.1:8080"));
        String odd = SameOrigin.refusal("POST", "http://evil.example/\u0007\u00e9" + "x".repeat(300), null, "http",
                "127.0.0.1:8080").orElseThrow();
        assertTrue(odd, odd.contains("http://evil.example/??x"));
        assertTrue(odd, odd.length() < 300);
        String byReferer = SameOrigin.refusal("POST", null, "http://evil.example/p", "http", "h:1").orElseThrow();
        assertTrue(byReferer, byReferer.contains("Referer http://evil.example/p"));
    }
}
