package io.midway.instance.internal.store;

import java.nio.file.Path;

/** Run in a second process by {@link InstanceStoreTest}: tries to open a store, exit 3 if refused. */
public final class OpenStoreMain {

    private OpenStoreMain() {
    }

    public static void main(String[] args) {
        try {
            InstanceStore.open(Path.of(args[0])).close();
        } catch (StoreException e) {
            System.err.println(e.getMessage());
            System.exit(3);
        }
        System.exit(0);
    }
}
