package io.midway.instance.store;

import java.nio.file.Path;

/** Run in a second process by {@link InstanceStoreTest}: tries to open a store, exit 3 if refused. */
public final class OpenStoreMain {

    private OpenStoreMain() {
    }

    public static void main(String[] args) {
        try {
            io.midway.instance.store.h2.H2Engine.open(Path.of(args[0])).close();
        } catch (StoreException e) {
            System.err.println(e.getMessage());
            System.exit(3);
        }
        System.exit(0);
    }
}
