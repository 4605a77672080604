package io.midway.agent.internal.cleaner;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.midway.agent.internal.results.ResultSpool;

/**
 * Spool files already handled: temporary files of writes a crash interrupted ({@code .<name>.tmp};
 * the result either reached its final name or was never made) and results the instance refused,
 * set aside in {@code rejected/} with their reason. Never a {@code *.json} in the spool itself:
 * those still wait to be sent.
 */
final class SpoolLeftovers implements CleanupRule {

    private final Path spool;

    /** @param spool the spool folder */
    SpoolLeftovers(Path spool) {
        this.spool = spool;
    }

    @Override
    public String name() {
        return "spool";
    }

    @Override
    public List<Path> unused() throws IOException {
        List<Path> out = new ArrayList<>(CleanupRule.list(spool, n -> n.startsWith(".") && n.endsWith(".tmp")));
        out.addAll(CleanupRule.list(spool.resolve(ResultSpool.REJECTED), n -> true));
        return out;
    }
}
