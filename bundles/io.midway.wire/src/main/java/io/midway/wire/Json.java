package io.midway.wire;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The shared Jackson mapping and the wire time format. */
public final class Json {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private Json() {
    }

    /**
     * The mapper for every record of this package. Unknown properties are ignored so that either
     * side may add fields.
     *
     * @return a thread-safe, shared mapper; do not reconfigure it
     */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * @param instant a moment
     * @return it in the wire format {@code yyyy-MM-dd HH:mm:ss}, UTC
     */
    public static String time(Instant instant) {
        return TIME.format(instant);
    }

    /**
     * @param text a time in the wire format
     * @return the moment
     */
    public static Instant parseTime(String text) {
        return TIME.parse(text, Instant::from);
    }
}
