package io.midway.credential.vaultfile.internal;

import static io.midway.credential.vaultfile.internal.VaultFixture.chmod;
import static io.midway.credential.vaultfile.internal.VaultFixture.config;
import static io.midway.credential.vaultfile.internal.VaultFixture.request;
import static io.midway.credential.vaultfile.internal.VaultFixture.write;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.api.credential.CredentialException;
import io.midway.api.credential.CredentialType;

/**
 * Everything the resolver logs, at debug level (set for the tests in the pom), while it resolves,
 * is refused and reads broken files: no secret, and no content of the file, ever appears.
 */
public class NoSecretInLogTest {

    private static final String SECRET = "hunter2-zq9";

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void nothingSecretIsLoggedAtAnyLevel() throws Exception {
        Path data = temp.newFolder("data").toPath().toRealPath();
        VaultFixture.requirePosix(data);
        Path vault = data.resolve("vault.json");

        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            write(vault, "{\"db1\": {\"user_name\": \"scott\", \"password\": \"" + SECRET + "\"}}", "rw-------");
            VaultFileResolver resolver = new VaultFileResolver(config(VaultFileResolver.DEFAULT_PATH), data.toString());
            resolver.resolve(request("db1", CredentialType.JDBC, "db-vault"));
            resolver.resolve(request("db1", CredentialType.BASIC, "db-vault"));

            chmod(vault, "rw-r--r--");
            ignore(() -> resolver.resolve(request("db1", CredentialType.JDBC, "db-vault")));
            new VaultFileResolver(config(VaultFileResolver.DEFAULT_PATH), data.toString()); // warns at activation

            chmod(vault, "rw-------");
            Files.writeString(vault, "{\"db1\": {\"password\": \"" + SECRET + "\" oops");
            ignore(() -> resolver.resolve(request("db1", CredentialType.JDBC, "db-vault")));
            new VaultFileResolver(config(VaultFileResolver.DEFAULT_PATH), data.toString());

            Files.writeString(vault, "{\"db1\": {\"password\": 31415926}}");
            ignore(() -> resolver.resolve(request("db1", CredentialType.JDBC, "db-vault")));
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue("debug logging is on and captured:\n" + log, log.contains("DEBUG") && log.contains("db1"));
        assertTrue("the field names are logged:\n" + log, log.contains("[user_name, password]"));
        for (String secret : new String[] {SECRET, "hunter2", "31415926", "oops"}) {
            assertFalse(secret + " in the log:\n" + log, log.contains(secret));
        }
    }

    private interface Call {
        void run() throws CredentialException;
    }

    private static void ignore(Call call) {
        try {
            call.run();
        } catch (CredentialException expected) {
            // the message is checked elsewhere; here only the log matters
        }
    }
}
