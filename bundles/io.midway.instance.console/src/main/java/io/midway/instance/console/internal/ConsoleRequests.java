package io.midway.instance.console.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

/**
 * What every Midway page of the instance's Web Console reads from a request the same way: the
 * session's anti-forgery form token (one per session, shared by all pages: Felix Web Console 5
 * has no protection against cross-site form posts), whether the request is for a page's
 * {@code .json} twin, and the page's own URL.
 */
final class ConsoleRequests {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Makes a session's first token atomically. */
    private static final Object TOKEN_LOCK = new Object();

    private ConsoleRequests() {
    }

    /** @return the session's form token, made (and the session started) on first use */
    static String sessionToken(HttpServletRequest request) {
        HttpSession session = request.getSession(true);
        synchronized (TOKEN_LOCK) {
            Object token = session.getAttribute(AgentConsolePlugin.TOKEN_ATTRIBUTE);
            if (token instanceof String text) {
                return text;
            }
            byte[] bytes = new byte[16];
            RANDOM.nextBytes(bytes);
            String text = HexFormat.of().formatHex(bytes);
            session.setAttribute(AgentConsolePlugin.TOKEN_ATTRIBUTE, text);
            return text;
        }
    }

    /** @return whether the request carries the token of its (existing) session */
    static boolean hasSessionToken(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        String sent = request.getParameter(AgentConsolePlugin.TOKEN_PARAMETER);
        if (session == null || sent == null) {
            return false;
        }
        Object token = session.getAttribute(AgentConsolePlugin.TOKEN_ATTRIBUTE);
        return token instanceof String expected && MessageDigest.isEqual(
                sent.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    /** @return whether the request is for the page's {@code .json} twin (the console calls a plugin for {@code LABEL.*}) */
    static boolean isJsonRequest(HttpServletRequest request) {
        String pathInfo = request.getPathInfo();
        String uri = request.getRequestURI();
        return (pathInfo != null && pathInfo.endsWith(".json")) || (uri != null && uri.endsWith(".json"));
    }

    /** @return the page's URL: what the Web Console says, else the request's own path */
    static String pluginRoot(HttpServletRequest request) {
        Object root = request.getAttribute(AgentConsolePlugin.PLUGIN_ROOT_ATTRIBUTE);
        if (root instanceof String text && !text.isEmpty()) {
            return text;
        }
        String uri = request.getRequestURI();
        return uri.endsWith(".json") ? uri.substring(0, uri.length() - ".json".length()) : uri;
    }
}
