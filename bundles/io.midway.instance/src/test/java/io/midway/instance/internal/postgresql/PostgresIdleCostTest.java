package io.midway.instance.internal.postgresql;

import java.nio.file.Path;

import io.midway.instance.store.EngineSetup;
import io.midway.instance.store.TestPostgres;

/** {@link io.midway.instance.internal.IdleCostTest} on a real PostgreSQL server. */
public class PostgresIdleCostTest extends io.midway.instance.internal.IdleCostTest {

    @Override
    protected EngineSetup setup(Path dir) {
        return TestPostgres.setup(true);
    }
}
