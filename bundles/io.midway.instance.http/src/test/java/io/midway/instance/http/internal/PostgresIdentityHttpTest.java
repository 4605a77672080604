package io.midway.instance.http.internal;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/** {@link io.midway.instance.http.internal.IdentityHttpTest} on a real PostgreSQL server: the same behaviour on both engines. */
public class PostgresIdentityHttpTest extends io.midway.instance.http.internal.IdentityHttpTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
