package io.midway.credential.store.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * One agent key made per test run (an RSA 3072 key takes a while), copied into the credentials
 * directory of each test that does not test the making itself.
 */
final class KeyFixture {

    private static Path template;

    private KeyFixture() {
    }

    /**
     * @param dir a credentials directory to create
     * @return the directory, holding a copy of the shared agent.key ({@code rw-------})
     */
    static synchronized Path credentialsDirWithKey(Path dir) {
        try {
            if (template == null) {
                Path made = Files.createTempDirectory("midway-key-").resolve("credentials");
                AgentKey.loadOrCreate(made);
                template = made.resolve(AgentKey.PRIVATE_FILE);
                made.toFile().deleteOnExit();
                template.toFile().deleteOnExit();
                made.resolve(AgentKey.PUBLIC_FILE).toFile().deleteOnExit();
            }
            Files.createDirectories(dir);
            Path key = dir.resolve(AgentKey.PRIVATE_FILE);
            Files.copy(template, key);
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
