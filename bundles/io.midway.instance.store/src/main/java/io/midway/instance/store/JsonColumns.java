package io.midway.instance.store;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;

import io.midway.wire.Json;

/** Columns that hold JSON text (payloads, lists, maps): written and read back. */
final class JsonColumns {

    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };

    private JsonColumns() {
    }

    static String write(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode JSON: " + e.getOriginalMessage(), e);
        }
    }

    static JsonNode readTree(String text) throws SQLException {
        try {
            return Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new SQLException("stored JSON is corrupt: " + e.getOriginalMessage(), e);
        }
    }

    static Map<String, String> readMap(String text) throws SQLException {
        if (text == null || text.isEmpty()) {
            return Map.of();
        }
        try {
            return Json.mapper().readValue(text, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new SQLException("stored map is corrupt: " + e.getOriginalMessage(), e);
        }
    }

    static List<String> readList(String text) throws SQLException {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        try {
            return Json.mapper().readValue(text, STRING_LIST);
        } catch (JsonProcessingException e) {
            throw new SQLException("stored list is corrupt: " + e.getOriginalMessage(), e);
        }
    }

    static List<String> nonNull(List<String> list) {
        return list == null ? List.of() : list;
    }
}
