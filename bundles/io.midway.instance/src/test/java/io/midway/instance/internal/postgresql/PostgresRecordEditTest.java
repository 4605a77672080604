package io.midway.instance.internal.postgresql;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/**
 * {@link io.midway.instance.internal.RecordEditTest} on a real PostgreSQL server: leases are rows
 * there, and a change or delete is a conditional statement that a claim taken first defeats.
 */
public class PostgresRecordEditTest extends io.midway.instance.internal.RecordEditTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
