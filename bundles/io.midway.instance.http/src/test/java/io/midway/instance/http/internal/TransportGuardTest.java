package io.midway.instance.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.Test;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The instance's transport rules on requests as the container hands them over: the remote
 * address of another host cannot be made on loopback (tests use loopback only), so the request
 * is built here; the real server's loopback path is covered by every HTTP test of the instance.
 */
public class TransportGuardTest {

    private static final class Answer {
        int status = 200;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        final AtomicBoolean passed = new AtomicBoolean();
    }

    private static Answer send(TransportGuard guard, boolean secure, String remote, String authorization) throws Exception {
        Answer answer = new Answer();
        Map<String, String> headers = new HashMap<>();
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(TransportGuardTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (p, m, a) -> switch (m.getName()) {
                    case "isSecure" -> secure;
                    case "getRemoteAddr" -> remote;
                    case "getHeader" -> headers.get((String) a[0]);
                    case "getRequestURI" -> "/api/now/table/ecc_queue";
                    default -> null;
                });
        ServletOutputStream out = new ServletOutputStream() {
            @Override
            public void write(int b) {
                answer.body.write(b);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
                // blocking
            }
        };
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(TransportGuardTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (p, m, a) -> switch (m.getName()) {
                    case "setStatus" -> {
                        answer.status = (Integer) a[0];
                        yield null;
                    }
                    case "getOutputStream" -> out;
                    case "isCommitted" -> false;
                    default -> null;
                });
        guard.doFilter(request, response, (rq, rs) -> answer.passed.set(true));
        return answer;
    }

    @Test
    public void thisMachinePassesOverPlainHttpWithCredentials() throws Exception {
        Answer a = send(new TransportGuard(false, "8443"), false, "127.0.0.1", "Basic eDp5");
        assertTrue(a.passed.get());
    }

    @Test
    public void anotherHostIsRefusedPlainHttpNamingHttps() throws Exception {
        Answer a = send(new TransportGuard(false, "8443"), false, "10.20.30.40", null);
        assertEquals(403, a.status);
        assertTrue(!a.passed.get());
        String body = a.body.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(body, body.contains("this machine only") && body.contains("port 8443") && body.contains("\"status\":\"failure\""));
    }

    @Test
    public void openedPlainHttpStillTakesNoCredentialsFromAnotherHost() throws Exception {
        TransportGuard opened = new TransportGuard(true, "8443");
        assertTrue("an anonymous request (instance_info) passes", send(opened, false, "10.20.30.40", null).passed.get());
        Answer a = send(opened, false, "10.20.30.40", "Basic eDp5");
        assertEquals(403, a.status);
        assertTrue(a.body.toString(java.nio.charset.StandardCharsets.UTF_8).contains("credentials are not accepted"));
    }

    @Test
    public void httpsFromAnotherHostPasses() throws Exception {
        assertTrue(send(new TransportGuard(false, "8443"), true, "10.20.30.40", "Basic eDp5").passed.get());
    }
}
