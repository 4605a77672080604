package io.midway.console.support.guard;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.Test;

public class BrowserGuardTest {

    private static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    public void theUserOfBasicCredentials() {
        assertEquals("admin", BrowserGuard.basicUser(basic("admin:secret")));
        assertEquals("admin", BrowserGuard.basicUser("basic " + Base64.getEncoder().encodeToString("admin:".getBytes())));
        assertEquals("", BrowserGuard.basicUser(basic(":pw")));
        assertEquals("the password may hold colons", "a", BrowserGuard.basicUser(basic("a:b:c").replace("Basic", "BASIC")));
        assertNull(BrowserGuard.basicUser(null));
        assertNull(BrowserGuard.basicUser("Bearer abc"));
        assertNull(BrowserGuard.basicUser("Basic"));
        assertNull(BrowserGuard.basicUser("Basic !!!"));
        assertNull("no colon", BrowserGuard.basicUser(basic("admin")));
    }

    @Test
    public void refusalsAreJsonStrings() {
        assertEquals("\"a \\\"b\\\" \\\\ \\u003cscript\\u003e \\u0026 \\u000a\"", BrowserGuard.jsonString("a \"b\" \\ <script> & \n"));
    }
}
