package io.midway.instance.http.internal;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/** {@link io.midway.instance.http.internal.FileSyncHttpTest} on a real PostgreSQL server: the same behaviour on both engines. */
public class PostgresFileSyncHttpTest extends io.midway.instance.http.internal.FileSyncHttpTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
