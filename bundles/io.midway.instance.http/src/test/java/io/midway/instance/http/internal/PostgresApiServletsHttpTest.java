package io.midway.instance.http.internal;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/** {@link io.midway.instance.http.internal.ApiServletsHttpTest} on a real PostgreSQL server: the same behaviour on both engines. */
public class PostgresApiServletsHttpTest extends io.midway.instance.http.internal.ApiServletsHttpTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
