package io.midway.instance.http.internal;

import io.midway.instance.api.InstanceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


/**
 * Tells a request the client got wrong from a failure of the instance: a query string that is not
 * percent-encoded UTF-8, a body that ends before its {@code Content-Length} or has a broken chunk,
 * a form the container cannot parse, a value longer than its database column. Each becomes a
 * {@link RequestException} (4xx); everything else stays a 500.
 */
public final class BadInput {

    /** H2 names the column and its size: {@code Value too long for column "TOPIC CHARACTER VARYING(300)"}. */
    private static final Pattern TOO_LONG = Pattern.compile(
            "column \"([A-Za-z_][A-Za-z0-9_]*) CHARACTER VARYING\\((\\d+)\\)\"");
    /** Jetty's exceptions for a malformed request carry the status ({@code org.eclipse.jetty.http.HttpException}). */
    private static final String JETTY_HTTP_EXCEPTION = "org.eclipse.jetty.http.HttpException";
    private static final String JETTY_EOF = "org.eclipse.jetty.io.EofException";

    private BadInput() {
    }

    /**
     * @param query a raw query string, may be null
     * @return what is wrong with it, empty when it decodes
     */
    public static Optional<String> queryStringProblem(String query) {
        if (query == null || query.isEmpty()) {
            return Optional.empty();
        }
        return percentEncodingProblem(query, true);
    }

    /**
     * @param text percent-encoded text
     * @param plusIsSpace whether {@code +} stands for a space (query strings and forms)
     * @return what is wrong with it, empty when it is valid percent-encoded UTF-8
     */
    public static Optional<String> percentEncodingProblem(String text, boolean plusIsSpace) {
        ByteBuffer bytes = ByteBuffer.allocate(text.length() * 4);
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '%') {
                if (i + 2 >= text.length() || hex(text.charAt(i + 1)) < 0 || hex(text.charAt(i + 2)) < 0) {
                    return Optional.of("invalid %-escape '" + excerpt(text, i) + "' at position " + i);
                }
                bytes.put((byte) (hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2))));
                i += 2;
            } else if (ch < 0x80) {
                bytes.put((byte) (plusIsSpace && ch == '+' ? ' ' : ch));
            } else {
                bytes.put(String.valueOf(ch).getBytes(StandardCharsets.UTF_8));
            }
        }
        bytes.flip();
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes);
            return Optional.empty();
        } catch (CharacterCodingException e) {
            return Optional.of("the %-escapes do not decode as UTF-8");
        }
    }

    private static int hex(char ch) {
        return Character.digit(ch, 16);
    }

    private static String excerpt(String text, int at) {
        return text.substring(at, Math.min(text.length(), at + 3));
    }

    /**
     * @param e a failure while reading the request body
     * @return the 400 it stands for (408 when it was cut off for arriving too slowly)
     */
    public static RequestException unreadableBody(Throwable e) {
        if (e instanceof InstanceException refused) {
            return RequestException.of(refused);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SlowBodyException || t instanceof java.util.concurrent.TimeoutException) {
                // cut off by the minimum data rate or the idle timeout (RequestLimitFilter): 408
                return new RequestException(RequestException.Kind.REQUEST_TIMEOUT, "the request body arrived too slowly",
                        "send the whole body without pausing");
            }
        }
        String detail = status(e).isPresent() || isEof(e)
                ? "the body ended before its Content-Length, or its chunked encoding is broken"
                : "the body could not be read (" + e.getClass().getSimpleName() + ")";
        return RequestException.badRequest("the request body is incomplete or malformed", detail);
    }

    /**
     * @param e a failure out of a servlet
     * @return the 4xx it stands for when the container refused the request as malformed (a bad
     *         query string or form body, a broken body), else empty
     */
    public static Optional<RequestException> malformedRequest(Throwable e) {
        Optional<Integer> status = status(e);
        if (status.isPresent() && status.get() >= 400 && status.get() < 500) {
            String message = messageOf(e);
            if (status.get() == 413) {
                return Optional.of(new RequestException(RequestException.Kind.PAYLOAD_TOO_LARGE,
                        "the request is too large", message));
            }
            return Optional.of(RequestException.badRequest("malformed request", message));
        }
        if (isEof(e)) {
            return Optional.of(unreadableBody(e));
        }
        return Optional.empty();
    }

    /**
     * @param e a failure of the store
     * @return a 400 naming the field when a value did not fit its column (or a number its type),
     *         else empty
     */
    public static Optional<RequestException> valueRejected(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if ("22001".equals(state)) {
                    Matcher m = TOO_LONG.matcher(String.valueOf(sql.getMessage()));
                    if (m.find()) {
                        return Optional.of(RequestException.badRequest("field '" + m.group(1).toLowerCase(Locale.ROOT)
                                + "' is longer than " + m.group(2) + " characters", "nothing was stored"));
                    }
                    return Optional.of(RequestException.badRequest("a value is longer than its field allows",
                            "nothing was stored"));
                }
                if ("22003".equals(state)) {
                    return Optional.of(RequestException.badRequest("a number is out of range", "nothing was stored"));
                }
            }
        }
        return Optional.empty();
    }

    /** The status of a Jetty {@code HttpException} in the cause chain. */
    private static Optional<Integer> status(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (implementsNamed(t.getClass(), JETTY_HTTP_EXCEPTION)) {
                try {
                    Object code = t.getClass().getMethod("getCode").invoke(t);
                    if (code instanceof Integer i) {
                        return Optional.of(i);
                    }
                } catch (ReflectiveOperationException | RuntimeException ignored) {
                    return Optional.of(400);
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Optional.empty();
    }

    private static boolean isEof(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
                if (c.getName().equals(JETTY_EOF) || c == java.io.EOFException.class) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static boolean implementsNamed(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return true;
            }
            for (Class<?> i : c.getInterfaces()) {
                if (implementsNamed(i, name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The message of the Jetty exception, which describes the request, never our internals. */
    private static String messageOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (implementsNamed(t.getClass(), JETTY_HTTP_EXCEPTION)) {
                String reason = null;
                try {
                    Object r = t.getClass().getMethod("getReason").invoke(t);
                    reason = r == null ? null : r.toString();
                } catch (ReflectiveOperationException | RuntimeException ignored) {
                    // no reason
                }
                return reason == null ? "the container could not parse the request" : reason;
            }
        }
        return "the request body ended early";
    }

    /**
     * @param e an I/O failure while reading a body
     * @return whether it is the client's fault (early end, broken framing, idle timeout)
     */
    public static boolean isClientFault(IOException e) {
        return status(e).isPresent() || isEof(e) || e instanceof java.io.InterruptedIOException
                || e.getCause() instanceof java.util.concurrent.TimeoutException;
    }
}
