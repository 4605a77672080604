package io.midway.instance.http.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * HTTP/1.1 over a plain socket, for requests no client library sends: broken framing (a body
 * shorter than its Content-Length, an invalid chunk size), odd methods, unencoded bytes.
 */
final class RawHttp {

    /** What came back: the status (0 when none) and the whole answer. */
    record Answer(int status, String text) {
        /** @return the body, after the header */
        String body() {
            int at = text.indexOf("\r\n\r\n");
            return at < 0 ? "" : text.substring(at + 4);
        }

        /** @return the value of a header, or null */
        String header(String name) {
            for (String line : text.split("\r\n")) {
                if (line.isEmpty()) {
                    break;
                }
                if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                    return line.substring(name.length() + 1).trim();
                }
            }
            return null;
        }
    }

    private RawHttp() {
    }

    static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends the bytes, half-closes (so a short body ends at once instead of waiting for the idle
     * timeout) and reads the answer until the server closes.
     */
    static Answer exchange(int port, byte[] request, int timeoutMs) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(timeoutMs);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // what arrived is the answer
            }
            String text = answer.toString(StandardCharsets.ISO_8859_1);
            int status = 0;
            if (text.startsWith("HTTP/1.1 ") && text.length() >= 12) {
                status = Integer.parseInt(text.substring(9, 12));
            }
            return new Answer(status, text);
        }
    }

    /**
     * @param head the request line and headers, lines without CRLF (Host and Connection: close are added)
     * @param body the body bytes sent after the header, may be null
     */
    static byte[] request(String requestLine, java.util.List<String> headers, byte[] body) {
        StringBuilder head = new StringBuilder(requestLine).append("\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] b = body == null ? new byte[0] : body;
        byte[] all = new byte[h.length + b.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(b, 0, all, h.length, b.length);
        return all;
    }
}
