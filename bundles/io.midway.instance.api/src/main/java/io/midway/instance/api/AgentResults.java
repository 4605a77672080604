package io.midway.instance.api;

import java.util.List;

/**
 * The results an agent posts in one request (the body of {@code POST /api/mid/ecc/input}, the wire
 * record {@code io.midway.wire.InputBatch}).
 *
 * @param records the results, in any order
 */
public record AgentResults(List<AgentResult> records) {
}
