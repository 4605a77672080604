package io.midway.agent.console.internal;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Minimal request and response doubles for calling the servlet directly: only the methods the
 * servlet uses are answered; any other call fails the test, so a new dependency is noticed.
 */
final class FakeHttp {

    private FakeHttp() {
    }

    /** A request as the Web Console passes it: path info below /system/console, plugin root attribute. */
    static final class Request {
        String method = "GET";
        String pathInfo = "/midway";
        final Map<String, String> parameters = new HashMap<>();
        final Map<String, Object> attributes = new HashMap<>(Map.of(AgentWebConsolePlugin.PLUGIN_ROOT_ATTRIBUTE, "/system/console/midway"));

        Request param(String name, String value) {
            parameters.put(name, value);
            return this;
        }

        HttpServletRequest proxy() {
            InvocationHandler handler = (p, m, args) -> {
                switch (m.getName()) {
                    case "getMethod": return method;
                    case "getPathInfo": return pathInfo;
                    case "getServletPath": return "/system/console";
                    case "getContextPath": return "";
                    case "getRequestURI": return "/system/console" + pathInfo;
                    case "getParameter": return parameters.get((String) args[0]);
                    case "getAttribute": return attributes.get((String) args[0]);
                    case "getRemoteAddr": return "127.0.0.1";
                    case "toString": return "FakeRequest " + method + " " + pathInfo;
                    default: throw new UnsupportedOperationException("request." + m.getName() + " is not faked");
                }
            };
            return (HttpServletRequest) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                    new Class<?>[] {HttpServletRequest.class}, handler);
        }
    }

    /** Records what the servlet did to the response. */
    static final class Response {
        int status = 200;
        String contentType;
        String characterEncoding;
        String redirect;
        final Map<String, String> headers = new HashMap<>();
        final StringWriter body = new StringWriter();
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
                    case "sendRedirect":
                        if (redirect != null) {
                            throw new IllegalStateException("redirected twice");
                        }
                        redirect = (String) args[0];
                        status = 302;
                        return null;
                    case "toString": return "FakeResponse";
                    default: throw new UnsupportedOperationException("response." + m.getName() + " is not faked");
                }
            };
            return (HttpServletResponse) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class}, handler);
        }
    }
}
