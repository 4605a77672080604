package io.midway.instance.internal.postgresql;

import io.midway.instance.internal.store.InstanceStore;
import io.midway.instance.internal.store.TestPostgres;

/** {@link io.midway.instance.internal.http.IdentityHttpTest} on a real PostgreSQL server: the same behaviour on both engines. */
public class PostgresIdentityHttpTest extends io.midway.instance.internal.http.IdentityHttpTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
