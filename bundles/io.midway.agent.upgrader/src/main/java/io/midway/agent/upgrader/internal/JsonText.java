package io.midway.agent.upgrader.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the upgrader keeps on disk: arrays of flat objects whose values are strings or
 * {@code null}. Written by hand so that this bundle, which must stay stable while the core
 * changes, imports nothing but the framework, the API and slf4j.
 */
final class JsonText {

    private final String text;
    private int pos;

    private JsonText(String text) {
        this.text = text;
    }

    /**
     * @param objects flat objects
     * @return them as a JSON array, one object per line
     */
    static String writeArray(List<Map<String, String>> objects) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < objects.size(); i++) {
            out.append(i == 0 ? "\n  " : ",\n  ");
            writeObject(out, objects.get(i));
        }
        return out.append(objects.isEmpty() ? "]\n" : "\n]\n").toString();
    }

    /**
     * @param object a flat object
     * @return it as JSON
     */
    static String writeObject(Map<String, String> object) {
        StringBuilder out = new StringBuilder();
        writeObject(out, object);
        return out.append('\n').toString();
    }

    private static void writeObject(StringBuilder out, Map<String, String> object) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : object.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            string(out, e.getKey());
            out.append(':');
            if (e.getValue() == null) {
                out.append("null");
            } else {
                string(out, e.getValue());
            }
        }
        out.append('}');
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * @param text a JSON array of flat objects
     * @return the objects
     * @throws IllegalArgumentException when it is not that
     */
    static List<Map<String, String>> readArray(String text) {
        JsonText p = new JsonText(text);
        p.skip();
        p.expect('[');
        List<Map<String, String>> out = new ArrayList<>();
        p.skip();
        if (p.peek() == ']') {
            p.pos++;
        } else {
            while (true) {
                out.add(p.object());
                p.skip();
                char c = p.next();
                if (c == ']') {
                    break;
                }
                if (c != ',') {
                    throw p.error("',' or ']'");
                }
            }
        }
        p.end();
        return out;
    }

    /**
     * @param text a flat JSON object
     * @return its fields
     * @throws IllegalArgumentException when it is not that
     */
    static Map<String, String> readObject(String text) {
        JsonText p = new JsonText(text);
        Map<String, String> out = p.object();
        p.end();
        return out;
    }

    private Map<String, String> object() {
        skip();
        expect('{');
        Map<String, String> out = new LinkedHashMap<>();
        skip();
        if (peek() == '}') {
            pos++;
            return out;
        }
        while (true) {
            skip();
            String key = string();
            skip();
            expect(':');
            skip();
            String value;
            if (text.startsWith("null", pos)) {
                pos += 4;
                value = null;
            } else {
                value = string();
            }
            out.put(key, value);
            skip();
            char c = next();
            if (c == '}') {
                return out;
            }
            if (c != ',') {
                throw error("',' or '}'");
            }
        }
    }

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("four hex digits");
                    }
                    out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    pos += 4;
                }
                default -> out.append(e);
            }
        }
    }

    private void skip() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private char peek() {
        if (pos >= text.length()) {
            throw error("more");
        }
        return text.charAt(pos);
    }

    private char next() {
        char c = peek();
        pos++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            pos--;
            throw error("'" + c + "'");
        }
    }

    private void end() {
        skip();
        if (pos != text.length()) {
            throw error("the end");
        }
    }

    private IllegalArgumentException error(String expected) {
        return new IllegalArgumentException("expected " + expected + " at offset " + pos);
    }
}
