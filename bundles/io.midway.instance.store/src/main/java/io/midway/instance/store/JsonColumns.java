package io.midway.instance.store;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Columns that hold JSON text (payloads, lists, maps): written and read back. */
final class JsonColumns {

    /**
     * The store's own mapper: it writes and reads JSON trees, string lists and string maps only
     * (no records), so it needs no configuration and no wire bundle. Thread-safe, never changed.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };

    private JsonColumns() {
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode JSON: " + e.getOriginalMessage(), e);
        }
    }

    static JsonNode readTree(String text) throws SQLException {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SQLException("stored JSON is corrupt: " + e.getOriginalMessage(), e);
        }
    }

    static Map<String, String> readMap(String text) throws SQLException {
        if (text == null || text.isEmpty()) {
            return Map.of();
        }
        try {
            return MAPPER.readValue(text, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new SQLException("stored map is corrupt: " + e.getOriginalMessage(), e);
        }
    }

    static List<String> readList(String text) throws SQLException {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        try {
            return MAPPER.readValue(text, STRING_LIST);
        } catch (JsonProcessingException e) {
            throw new SQLException("stored list is corrupt: " + e.getOriginalMessage(), e);
        }
    }

    static List<String> nonNull(List<String> list) {
        return list == null ? List.of() : list;
    }
}
