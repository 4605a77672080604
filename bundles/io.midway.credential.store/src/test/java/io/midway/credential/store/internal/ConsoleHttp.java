package io.midway.credential.store.internal;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Minimal request and response doubles for calling the Credentials page servlet directly: only the
 * methods it uses are answered; any other call fails the test, so a new dependency is noticed.
 */
final class ConsoleHttp {

    private ConsoleHttp() {
    }

    /**
     * @param pathInfo the path below /system/console, as the Web Console passes it
     * @return a GET request for it
     */
    static HttpServletRequest get(String pathInfo) {
        InvocationHandler handler = (p, m, args) -> {
            switch (m.getName()) {
                case "getMethod": return "GET";
                case "getPathInfo": return pathInfo;
                case "getServletPath": return "/system/console";
                case "getContextPath": return "";
                case "getRequestURI": return "/system/console" + pathInfo;
                case "getAttribute": return null;
                case "getParameter": return null;
                case "toString": return "FakeRequest GET " + pathInfo;
                default: throw new UnsupportedOperationException("request." + m.getName() + " is not faked");
            }
        };
        return (HttpServletRequest) Proxy.newProxyInstance(ConsoleHttp.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, handler);
    }

    /** Records what the servlet did to the response. */
    static final class Response {
        int status = 200;
        String contentType;
        String characterEncoding;
        final Map<String, String> headers = new HashMap<>();
        private final StringWriter body = new StringWriter();
        private final PrintWriter writer = new PrintWriter(body);

        String body() {
            writer.flush();
            return body.toString();
        }

        HttpServletResponse proxy() {
            InvocationHandler handler = (p, m, args) -> {
                switch (m.getName()) {
                    case "setStatus": status = (Integer) args[0]; return null;
                    case "getStatus": return status;
                    case "setContentType": contentType = (String) args[0]; return null;
                    case "getContentType": return contentType;
                    case "setCharacterEncoding": characterEncoding = (String) args[0]; return null;
                    case "setHeader": headers.put((String) args[0], (String) args[1]); return null;
                    case "getWriter": return writer;
                    case "toString": return "FakeResponse";
                    default: throw new UnsupportedOperationException("response." + m.getName() + " is not faked");
                }
            };
            return (HttpServletResponse) Proxy.newProxyInstance(ConsoleHttp.class.getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class}, handler);
        }
    }
}
