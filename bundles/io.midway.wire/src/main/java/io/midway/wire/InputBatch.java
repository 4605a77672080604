package io.midway.wire;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code POST /api/mid/ecc/input}.
 *
 * @param records the results, in any order
 */
public record InputBatch(@JsonProperty("records") List<InputRecord> records) {
}
