package io.midway.credential.vaultfile.internal;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

import io.midway.api.credential.CredentialException;
import io.midway.api.credential.CredentialRequest;
import io.midway.api.credential.CredentialType;

/** Helpers shared by the tests: configurations, vault files with real permissions, requests. */
final class VaultFixture {

    private VaultFixture() {
    }

    /**
     * Fails the test where the temporary folder has no POSIX permissions: the resolver's checks
     * (owner-only vault file) are what these tests are about, so they need a POSIX file system.
     */
    static void requirePosix(Path dir) {
        assertTrue("these tests need POSIX file permissions, and the temporary folder " + dir + " (java.io.tmpdir) has none: "
                + "run them on Linux or another POSIX system, with java.io.tmpdir on a POSIX file system",
                Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null);
    }

    /** @return a configuration as DS gives it, with the path set */
    static VaultFileResolver.Config config(String path) {
        return new VaultFileResolver.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return VaultFileResolver.Config.class;
            }

            @Override
            public String path() {
                return path;
            }
        };
    }

    /** Writes a file, then sets its permissions (e.g. {@code rw-------}). */
    static Path write(Path file, String content, String permissions) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        chmod(file, permissions);
        return file;
    }

    static void chmod(Path file, String permissions) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
    }

    static CredentialRequest request(String externalId, CredentialType type, String name) {
        return new CredentialRequest(externalId, type, "db.example.com", name);
    }

    /** @return the message of the CredentialException the request fails with, checked to hold none of the secrets */
    static String failure(VaultFileResolver resolver, CredentialRequest request, String... secrets) {
        CredentialException e = assertThrows(CredentialException.class, () -> resolver.resolve(request));
        String message = e.getMessage();
        assertTrue("a message", message != null && !message.isBlank());
        for (String secret : secrets) {
            assertFalse("secret in: " + message, message.contains(secret));
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                assertFalse("secret in the cause: " + cause, String.valueOf(cause.getMessage()).contains(secret));
            }
        }
        return message;
    }
}
