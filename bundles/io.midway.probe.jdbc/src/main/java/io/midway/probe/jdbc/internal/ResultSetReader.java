package io.midway.probe.jdbc.internal;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Struct;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.midway.api.secret.SecretScrubber;

/**
 * Reads a {@link ResultSet} into the JDBCProbe result: column names and types, and rows of
 * JSON-friendly values (numbers, strings, booleans, {@code null}; dates and times as ISO-8601
 * text; binary as base64; arrays as lists), within a row limit and a size limit.
 *
 * <p>Rows are whole: when the next row would pass the size limit, reading stops and the result is
 * {@code truncated}. Only a first row that is larger than the limit by itself is kept, with its long
 * text and binary values cut to fit.
 */
final class ResultSetReader {

    private final long sizeLimit;
    private final SecretScrubber scrubber;

    /**
     * @param sizeLimit about how many bytes of JSON the result may take
     * @param scrubber masks secrets in text values
     */
    ResultSetReader(long sizeLimit, SecretScrubber scrubber) {
        this.sizeLimit = sizeLimit;
        this.scrubber = scrubber;
    }

    /**
     * @param rows the result set, positioned before the first row
     * @param maxRows how many rows to keep at most; a further row makes the result truncated
     * @return {@code {"columns":[{"name","type"}],"rows":[[…]],"row_count":n,"truncated":false}}
     * @throws SQLException when reading fails
     */
    Map<String, Object> read(ResultSet rows, int maxRows) throws SQLException {
        ResultSetMetaData meta = rows.getMetaData();
        int count = meta.getColumnCount();
        int[] types = new int[count];
        String[] typeNames = new String[count];
        List<Object> columns = new ArrayList<>(count);
        long used = 64;
        for (int i = 0; i < count; i++) {
            types[i] = meta.getColumnType(i + 1);
            typeNames[i] = meta.getColumnTypeName(i + 1) == null ? "" : meta.getColumnTypeName(i + 1);
            Map<String, Object> column = new LinkedHashMap<>();
            column.put("name", meta.getColumnLabel(i + 1));
            column.put("type", typeNames[i]);
            columns.add(column);
            used += sizeOf(column.get("name")) + sizeOf(typeNames[i]) + 20;
        }
        List<Object> kept = new ArrayList<>();
        boolean truncated = false;
        while (rows.next()) {
            if (kept.size() >= maxRows) {
                truncated = true;
                break;
            }
            List<Object> row = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                row.add(value(rows, i + 1, types[i], typeNames[i]));
            }
            long size = sizeOf(row) + 1;
            if (used + size > sizeLimit) {
                if (kept.isEmpty()) {
                    kept.add(json(cut(row, sizeLimit - used - 1)));
                }
                truncated = true;
                break;
            }
            used += size;
            kept.add(json(row));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("columns", columns);
        result.put("rows", kept);
        result.put("row_count", kept.size());
        result.put("truncated", truncated);
        return result;
    }

    // ------------------------------------------------------------------ reading values

    private Object value(ResultSet rows, int column, int type, String typeName) throws SQLException {
        String name = typeName.toLowerCase(Locale.ROOT);
        switch (type) {
            case Types.DATE:
                return temporal(rows, column, LocalDate.class, DateTimeFormatter.ISO_LOCAL_DATE);
            case Types.TIME:
                return name.equals("timetz") ? temporal(rows, column, OffsetTime.class, DateTimeFormatter.ISO_OFFSET_TIME)
                        : temporal(rows, column, LocalTime.class, DateTimeFormatter.ISO_LOCAL_TIME);
            case Types.TIME_WITH_TIMEZONE:
                return temporal(rows, column, OffsetTime.class, DateTimeFormatter.ISO_OFFSET_TIME);
            case Types.TIMESTAMP:
                return name.equals("timestamptz") ? temporal(rows, column, OffsetDateTime.class, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                        : temporal(rows, column, LocalDateTime.class, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
            case Types.TIMESTAMP_WITH_TIMEZONE:
                return temporal(rows, column, OffsetDateTime.class, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            case Types.BINARY:
            case Types.VARBINARY:
            case Types.LONGVARBINARY:
                // getObject, not getBytes: some drivers type other values as binary (H2's UUID)
                return plain(rows.getObject(column));
            default:
                return plain(rows.getObject(column));
        }
    }

    private <T extends TemporalAccessor> Object temporal(ResultSet rows, int column, Class<T> type, DateTimeFormatter format)
            throws SQLException {
        try {
            T value = rows.getObject(column, type);
            return value == null ? null : format.format(value);
        } catch (SQLException | RuntimeException e) {
            // e.g. PostgreSQL's 'infinity', or a driver without java.time: its own text
            return text(rows.getString(column));
        }
    }

    /** Turns a value of {@link ResultSet#getObject(int)} into a JSON-friendly one. */
    private Object plain(Object value) throws SQLException {
        if (value == null || value instanceof Boolean || value instanceof Integer || value instanceof Long
                || value instanceof BigInteger || value instanceof BigDecimal) {
            return value;
        }
        if (value instanceof Short || value instanceof Byte) {
            return ((Number) value).intValue();
        }
        if (value instanceof Double || value instanceof Float) {
            double number = ((Number) value).doubleValue();
            return Double.isFinite(number) ? value : String.valueOf(value);
        }
        if (value instanceof String) {
            return text((String) value);
        }
        if (value instanceof Character || value instanceof UUID) {
            return value.toString();
        }
        if (value instanceof byte[]) {
            return new Binary((byte[]) value);
        }
        if (value instanceof java.sql.Timestamp) {
            return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(((java.sql.Timestamp) value).toLocalDateTime());
        }
        if (value instanceof java.sql.Date) {
            return DateTimeFormatter.ISO_LOCAL_DATE.format(((java.sql.Date) value).toLocalDate());
        }
        if (value instanceof java.sql.Time) {
            return DateTimeFormatter.ISO_LOCAL_TIME.format(((java.sql.Time) value).toLocalTime());
        }
        if (value instanceof LocalDateTime) {
            return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format((LocalDateTime) value);
        }
        if (value instanceof LocalTime) {
            return DateTimeFormatter.ISO_LOCAL_TIME.format((LocalTime) value);
        }
        if (value instanceof OffsetDateTime || value instanceof ZonedDateTime) {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format((TemporalAccessor) value);
        }
        if (value instanceof OffsetTime) {
            return DateTimeFormatter.ISO_OFFSET_TIME.format((OffsetTime) value);
        }
        if (value instanceof LocalDate || value instanceof Instant) {
            return value.toString();
        }
        if (value instanceof java.util.Date) {
            return ((java.util.Date) value).toInstant().toString();
        }
        if (value instanceof Clob) {
            Clob clob = (Clob) value;
            long length = clob.length();
            String text = clob.getSubString(1, (int) Math.min(length, Math.min(sizeLimit + 1, Integer.MAX_VALUE - 8)));
            free(clob);
            return text(text);
        }
        if (value instanceof Blob) {
            Blob blob = (Blob) value;
            long length = blob.length();
            byte[] bytes = blob.getBytes(1, (int) Math.min(length, Math.min(sizeLimit + 1, Integer.MAX_VALUE - 8)));
            free(blob);
            return new Binary(bytes);
        }
        if (value instanceof SQLXML) {
            return text(((SQLXML) value).getString());
        }
        if (value instanceof java.sql.Array) {
            java.sql.Array array = (java.sql.Array) value;
            Object elements = array.getArray();
            return plain(elements);
        }
        if (value instanceof Struct) {
            return plain(((Struct) value).getAttributes());
        }
        if (value.getClass().isArray()) {
            int length = Array.getLength(value);
            List<Object> list = new ArrayList<>(length);
            for (int i = 0; i < length; i++) {
                list.add(plain(Array.get(value, i)));
            }
            return list;
        }
        // driver types such as PostgreSQL's PGobject (json, inet, interval …) show their SQL text
        return text(value.toString());
    }

    private String text(String value) {
        return scrubber.scrub(value);
    }

    private static void free(Object lob) {
        try {
            if (lob instanceof Clob) {
                ((Clob) lob).free();
            } else if (lob instanceof Blob) {
                ((Blob) lob).free();
            }
        } catch (SQLException | RuntimeException | AbstractMethodError e) {
            // not every driver frees; the connection's end does
        }
    }

    // ------------------------------------------------------------------ size and cutting

    /** @return about how many bytes the value takes as JSON */
    static long sizeOf(Object value) {
        if (value == null) {
            return 4;
        }
        if (value instanceof Boolean) {
            return 5;
        }
        if (value instanceof Number) {
            return value.toString().length();
        }
        if (value instanceof String) {
            return utf8Length((String) value) + 2;
        }
        if (value instanceof Binary) {
            return base64Length(((Binary) value).bytes.length) + 2;
        }
        if (value instanceof List) {
            long size = 2;
            for (Object one : (List<?>) value) {
                size += sizeOf(one) + 1;
            }
            return size;
        }
        return value.toString().length() + 2;
    }

    /** Cuts long text and binary values so that the row takes at most {@code budget} bytes. */
    private static List<Object> cut(List<Object> row, long budget) {
        long left = budget - 2;
        List<Object> cut = new ArrayList<>(row.size());
        for (Object value : row) {
            long size = sizeOf(value) + 1;
            if (size <= left) {
                cut.add(value);
                left -= size;
            } else if (value instanceof String) {
                String text = prefix((String) value, Math.max(0, left - 3));
                cut.add(text);
                left -= sizeOf(text) + 1;
            } else if (value instanceof Binary) {
                byte[] bytes = ((Binary) value).bytes;
                int keep = (int) Math.max(0, Math.min(bytes.length, (left - 3) / 4 * 3));
                cut.add(new Binary(Arrays.copyOf(bytes, keep)));
                left -= base64Length(keep) + 3;
            } else {
                cut.add(null);
                left -= 5;
            }
        }
        return cut;
    }

    /** @return the longest prefix of the text that takes at most {@code bytes} bytes in UTF-8, without splitting a character */
    static String prefix(String text, long bytes) {
        long used = 0;
        int i = 0;
        while (i < text.length()) {
            int codePoint = text.codePointAt(i);
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (used + size > bytes) {
                break;
            }
            used += size;
            i += Character.charCount(codePoint);
        }
        return text.substring(0, i);
    }

    static long utf8Length(String text) {
        long length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                length++;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c)) {
                length += 4;
                i++;
            } else {
                length += 3;
            }
        }
        // JSON escapes (quotes, control characters) are not counted: the limit is approximate
        return length;
    }

    private static long base64Length(long bytes) {
        return (bytes + 2) / 3 * 4;
    }

    /** Turns the row's binary values into base64 text. */
    private static List<Object> json(List<Object> row) {
        List<Object> out = new ArrayList<>(row.size());
        for (Object value : row) {
            out.add(json(value));
        }
        return out;
    }

    private static Object json(Object value) {
        if (value instanceof Binary) {
            return Base64.getEncoder().encodeToString(((Binary) value).bytes);
        }
        if (value instanceof List) {
            return json(castList(value));
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(Object value) {
        return (List<Object>) value;
    }

    /** A binary value, kept as bytes until the row is accepted, so that cutting it keeps valid base64. */
    private static final class Binary {
        final byte[] bytes;

        Binary(byte[] bytes) {
            this.bytes = bytes;
        }
    }
}
