package io.midway.instance.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reads typed fields out of a JSON request body, with a 400 that names the field on a wrong type. */
public final class JsonBody {

    private JsonBody() {
    }

    /**
     * @param body a parsed body
     * @return it as an object
     * @throws InstanceException (400) when it is not a JSON object
     */
    public static ObjectNode object(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw InstanceException.invalid("the request body must be a JSON object");
        }
        return (ObjectNode) body;
    }

    /** @return the text of a field, or {@code null} when absent or null */
    public static String text(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw InstanceException.invalid("field '" + field + "' must be a string", "got " + describe(node));
        }
        return node.textValue();
    }

    /** @return the non-blank text of a required field */
    public static String requiredText(ObjectNode body, String field) {
        String value = text(body, field);
        if (value == null || value.isBlank()) {
            throw InstanceException.invalid("field '" + field + "' is required");
        }
        return value;
    }

    /** @return a whole number given as a number or a string of digits, or {@code null} */
    public static Integer integer(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            return node.intValue();
        }
        if (node.isTextual()) {
            try {
                return Integer.parseInt(node.textValue().trim());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw InstanceException.invalid("field '" + field + "' must be a whole number", "got " + describe(node));
    }

    /** @return a boolean given as JSON boolean or as {@code "true"}/{@code "false"}, or {@code null} */
    public static Boolean bool(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual()) {
            String text = node.textValue().trim();
            if ("true".equalsIgnoreCase(text)) {
                return Boolean.TRUE;
            }
            if ("false".equalsIgnoreCase(text)) {
                return Boolean.FALSE;
            }
        }
        throw InstanceException.invalid("field '" + field + "' must be true or false", "got " + describe(node));
    }

    /**
     * @return a list given as an array of strings or as one comma-separated string; an empty list
     *         for an explicit null; {@code null} when the field is absent
     */
    public static List<String> stringList(ObjectNode body, String field) {
        if (!body.has(field)) {
            return null;
        }
        JsonNode node = body.get(field);
        List<String> values = new ArrayList<>();
        if (node.isNull()) {
            return values;
        }
        if (node.isTextual()) {
            for (String part : node.textValue().split(",")) {
                if (!part.isBlank()) {
                    values.add(part.trim());
                }
            }
            return values;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (!element.isTextual()) {
                    throw InstanceException.invalid("field '" + field + "' must hold strings only",
                            "got " + describe(element) + " in the list");
                }
                if (!element.textValue().isBlank()) {
                    values.add(element.textValue().trim());
                }
            }
            return values;
        }
        throw InstanceException.invalid("field '" + field + "' must be a list of strings", "got " + describe(node));
    }

    public static String describe(JsonNode node) {
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isTextual()) {
            return "the string \"" + abbreviate(node.textValue()) + "\"";
        }
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + abbreviate(node.toString());
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
