package io.midway.instance.shell.internal;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/** {@link io.midway.instance.shell.internal.UserCommandsTest} on a real PostgreSQL server: the same behaviour on both engines. */
public class PostgresUserCommandsTest extends io.midway.instance.shell.internal.UserCommandsTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
