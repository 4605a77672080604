package io.midway.credential.vaultfile.internal;

import static io.midway.credential.vaultfile.internal.VaultFixture.chmod;
import static io.midway.credential.vaultfile.internal.VaultFixture.config;
import static io.midway.credential.vaultfile.internal.VaultFixture.failure;
import static io.midway.credential.vaultfile.internal.VaultFixture.request;
import static io.midway.credential.vaultfile.internal.VaultFixture.write;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.api.credential.CredentialException;
import io.midway.api.credential.CredentialType;

public class VaultFileResolverTest {

    private static final String SECRET = "tiger-s3cr3t";
    private static final String VAULT = "{\"db1\": {\"user_name\": \"scott\", \"password\": \"" + SECRET + "\"}}";

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    private Path data;
    private Path vaultFile;

    @Before
    public void setUp() throws IOException {
        data = temp.newFolder("data").toPath().toRealPath();
        VaultFixture.requirePosix(data);
        vaultFile = data.resolve("vault.json");
    }

    /** The component as DS makes it: default configuration, midway.data pointing at the data folder. */
    private VaultFileResolver resolver() {
        return new VaultFileResolver(config(VaultFileResolver.DEFAULT_PATH), data.toString());
    }

    // ---------------------------------------------------------------- resolving

    @Test
    public void resolvesAnEntryOfTheDefaultVaultFileInTheDataFolder() throws Exception {
        write(vaultFile, VAULT, "rw-------");
        VaultFileResolver resolver = resolver();

        assertEquals(vaultFile, resolver.vaultFile());
        assertEquals(Map.of("user_name", "scott", "password", SECRET),
                resolver.resolve(request("db1", CredentialType.JDBC, "db-vault")));
    }

    @Test
    public void readOnlyForTheOwnerIsAcceptedToo() throws Exception {
        write(vaultFile, VAULT, "r--------");
        assertEquals(SECRET, resolver().resolve(request("db1", CredentialType.BASIC, "db-vault")).get("password"));
    }

    @Test
    public void returnsOnlyTheFieldsOfTheRequestedType() throws Exception {
        write(vaultFile, "{\"all\": {\"user_name\": \"scott\", \"password\": \"pw-1\", \"api_key\": \"key-2\", "
                + "\"community\": \"public-3\", \"note\": \"not a field\", \"port\": 5432}}", "rw-------");
        VaultFileResolver resolver = resolver();

        assertEquals(Map.of("user_name", "scott", "password", "pw-1"), resolver.resolve(request("all", CredentialType.BASIC, "c")));
        assertEquals(Map.of("user_name", "scott", "api_key", "key-2"), resolver.resolve(request("all", CredentialType.API_KEY, "c")));
        assertEquals(Map.of("community", "public-3"), resolver.resolve(request("all", CredentialType.SNMP_COMMUNITY, "c")));
        assertEquals(Map.of("user_name", "scott"), resolver.resolve(request("all", CredentialType.SSH_KEY, "c")));
    }

    @Test
    public void nullOrMissingFieldsAreLeftOut() throws Exception {
        write(vaultFile, "{\"k\": {\"user_name\": \"root\", \"ssh_private_key\": \"-----BEGIN\", \"ssh_passphrase\": null}}",
                "rw-------");
        Map<String, String> fields = resolver().resolve(request("k", CredentialType.SSH_KEY, "lab-ssh"));
        assertEquals(Map.of("user_name", "root", "ssh_private_key", "-----BEGIN"), fields);
        assertThrows(UnsupportedOperationException.class, () -> fields.put("x", "y"));
    }

    @Test
    public void unknownIdNamesTheIdTheFileAndTheCredential() throws Exception {
        write(vaultFile, VAULT, "rw-------");
        String message = failure(resolver(), request("db2", CredentialType.JDBC, "db-vault"), SECRET, "scott");
        assertEquals("no entry 'db2' in vault file " + vaultFile + " (credential 'db-vault')", message);
    }

    @Test
    public void aFieldThatIsNotAStringIsAClearErrorWithoutItsValue() throws Exception {
        write(vaultFile, "{\"db1\": {\"user_name\": \"scott\", \"password\": 918273645}}", "rw-------");
        String message = failure(resolver(), request("db1", CredentialType.JDBC, "db-vault"), "918273645");
        assertEquals("field 'password' of entry 'db1' in vault file " + vaultFile + " is a number, not a string; "
                + "write it in quotes (credential 'db-vault')", message);
    }

    @Test
    public void anEntryThatIsNotAnObjectIsAClearErrorWithoutItsValue() throws Exception {
        write(vaultFile, "{\"db1\": \"" + SECRET + "\"}", "rw-------");
        String message = failure(resolver(), request("db1", CredentialType.JDBC, "db-vault"), SECRET);
        assertTrue(message, message.startsWith("entry 'db1' in vault file " + vaultFile + " is a string, not a JSON object"));
        assertTrue(message, message.endsWith("(credential 'db-vault')"));
    }

    // ---------------------------------------------------------------- permissions

    @Test
    public void groupReadableFileIsRefusedWithoutBeingRead() throws Exception {
        write(vaultFile, VAULT, "rw-r--r--");
        String message = failure(resolver(), request("db1", CredentialType.JDBC, "db-vault"), SECRET, "scott");
        assertEquals("credential 'db-vault': vault file " + vaultFile + " is accessible to group or others (rw-r--r--); "
                + "make it owner-only: chmod 600 " + vaultFile, message);
    }

    @Test
    public void refusedBeforeAnyParsing() throws Exception {
        // Not JSON at all: the permission check must come first, so the file is never read.
        write(vaultFile, "{ broken " + SECRET, "rw----r--");
        String message = failure(resolver(), request("db1", CredentialType.JDBC, "db-vault"), SECRET);
        assertTrue(message, message.contains("is accessible to group or others (rw----r--)"));
    }

    @Test
    public void anyGroupOrOtherPermissionIsRefused() throws Exception {
        write(vaultFile, VAULT, "rw-------");
        VaultFileResolver resolver = resolver();
        for (String open : List.of("rw----r--", "rw-----w-", "rw------x", "rw-r-----", "rw--w----", "rw---x---", "rwxrwxrwx")) {
            chmod(vaultFile, open);
            String message = failure(resolver, request("db1", CredentialType.JDBC, "db-vault"), SECRET);
            assertTrue(message, message.contains("(" + open + "); make it owner-only: chmod 600 " + vaultFile));
        }
    }

    @Test
    public void aFileAlreadyReadIsRefusedOnceItsPermissionsOpen() throws Exception {
        write(vaultFile, VAULT, "rw-------");
        VaultFileResolver resolver = resolver();
        assertEquals(SECRET, resolver.resolve(request("db1", CredentialType.JDBC, "db-vault")).get("password"));

        chmod(vaultFile, "rw-rw-rw-"); // the content and mtime do not change: the check is still made
        failure(resolver, request("db1", CredentialType.JDBC, "db-vault"), SECRET);
    }

    @Test
    public void chmod600FixesIt() throws Exception {
        write(vaultFile, VAULT, "rw-r--r--");
        VaultFileResolver resolver = resolver();
        failure(resolver, request("db1", CredentialType.JDBC, "db-vault"), SECRET);

        chmod(vaultFile, "rw-------");
        assertEquals(SECRET, resolver.resolve(request("db1", CredentialType.JDBC, "db-vault")).get("password"));
    }

    @Test
    public void symlinkToAnOpenFileIsRefusedNamingTheTarget() throws Exception {
        Path target = write(temp.newFolder("secrets").toPath().toRealPath().resolve("real.json"), VAULT, "rw-r-----");
        Files.createSymbolicLink(vaultFile, target);

        String message = failure(resolver(), request("db1", CredentialType.JDBC, "db-vault"), SECRET);
        assertEquals("credential 'db-vault': vault file " + vaultFile + " (a link to " + target + ") is accessible to group "
                + "or others (rw-r-----); make it owner-only: chmod 600 " + target, message);

        chmod(target, "rw-------");
        assertEquals(SECRET, resolver().resolve(request("db1", CredentialType.JDBC, "db-vault")).get("password"));
    }

    @Test
    public void danglingSymlinkIsReported() throws Exception {
        Files.createSymbolicLink(vaultFile, data.resolve("gone.json"));
        String message = failure(resolver(), request("db1", CredentialType.JDBC, "db-vault"));
        assertEquals("credential 'db-vault': vault file " + vaultFile + " is a link to a file that does not exist", message);
    }

    @Test
    public void aDirectoryIsNotAVaultFile() throws Exception {
        Files.createDirectory(vaultFile);
        String message = failure(resolver(), request("db1", CredentialType.JDBC, "db-vault"));
        assertEquals("credential 'db-vault': vault file " + vaultFile + " is not a regular file", message);
    }

    // ---------------------------------------------------------------- missing and broken files

    @Test
    public void missingFileIsReportedWithWhatToDo() throws Exception {
        VaultFileResolver resolver = resolver(); // activation does not fail without the file
        String message = failure(resolver, request("db1", CredentialType.JDBC, "db-vault"));
        assertTrue(message, message.startsWith("credential 'db-vault': vault file " + vaultFile + " does not exist; create it"));
        assertTrue(message, message.contains("chmod 600"));

        write(vaultFile, VAULT, "rw-------");
        assertEquals(SECRET, resolver.resolve(request("db1", CredentialType.JDBC, "db-vault")).get("password"));
    }

    @Test
    public void badJsonIsReportedWithoutTheContent() throws Exception {
        write(vaultFile, "{\"db1\": {\"user_name\": \"scott\",\n \"password\": \"" + SECRET + "\" ,, }", "rw-------");
        CredentialException e = assertThrows(CredentialException.class,
                () -> resolver().resolve(request("db1", CredentialType.JDBC, "db-vault")));
        assertNull("no cause: Jackson's message quotes the content", e.getCause());
        String message = e.getMessage();
        assertTrue(message, message.startsWith("credential 'db-vault': vault file " + vaultFile + " is not valid JSON"));
        assertTrue(message, message.contains("line 2"));
        for (String content : List.of(SECRET, "scott", "user_name", "password\"", ",,")) {
            assertFalse(content + " in: " + message, message.contains(content));
        }
    }

    @Test
    public void aBareSecretIsNotEchoedEither() throws Exception {
        write(vaultFile, SECRET, "rw-------"); // e.g. someone pasted a password into the file
        String message = failure(resolver(), request("db1", CredentialType.JDBC, "db-vault"), SECRET, "tiger");
        assertTrue(message, message.contains("is not valid JSON"));
    }

    @Test
    public void duplicateIdsAreRefused() throws Exception {
        write(vaultFile, "{\"db1\": {\"password\": \"a-1\"}, \"db1\": {\"password\": \"b-2\"}}", "rw-------");
        String message = failure(resolver(), request("db1", CredentialType.JDBC, "db-vault"), "a-1", "b-2");
        assertTrue(message, message.contains("is not valid JSON (a syntax error or a duplicate key"));
    }

    @Test
    public void emptyFileAndNonObjectAreReported() throws Exception {
        write(vaultFile, "", "rw-------");
        VaultFileResolver resolver = resolver();
        assertTrue(failure(resolver, request("db1", CredentialType.JDBC, "c")).contains(" is empty; it must be a JSON object"));

        write(vaultFile, "[\"" + SECRET + "\"]", "rw-------");
        String message = failure(resolver, request("db1", CredentialType.JDBC, "c"), SECRET);
        assertTrue(message, message.contains(" holds an array, not a JSON object of entries"));
    }

    @Test
    public void tooLargeFileIsNotRead() throws Exception {
        write(vaultFile, "{\"pad\": \"" + "x".repeat((int) VaultFile.MAX_SIZE) + "\"}", "rw-------");
        String message = failure(resolver(), request("db1", CredentialType.JDBC, "c"));
        assertTrue(message, message.contains("is larger than " + VaultFile.MAX_SIZE + " bytes"));
    }

    // ---------------------------------------------------------------- changes

    @Test
    public void anEditIsPickedUpWithoutRestart() throws Exception {
        write(vaultFile, VAULT, "rw-------");
        VaultFileResolver resolver = resolver();
        assertEquals(SECRET, resolver.resolve(request("db1", CredentialType.JDBC, "db-vault")).get("password"));

        // Rewritten in place, another size.
        Files.writeString(vaultFile, "{\"db1\": {\"user_name\": \"scott\", \"password\": \"rotated-password\"}, "
                + "\"db2\": {\"user_name\": \"app\", \"password\": \"p2\"}}");
        assertEquals("rotated-password", resolver.resolve(request("db1", CredentialType.JDBC, "db-vault")).get("password"));
        assertEquals(Map.of("user_name", "app", "password", "p2"), resolver.resolve(request("db2", CredentialType.JDBC, "x")));
    }

    @Test
    public void aSameSizeEditIsPickedUpByItsModificationTime() throws Exception {
        write(vaultFile, "{\"db1\": {\"password\": \"aaaa\"}}", "rw-------");
        VaultFileResolver resolver = resolver();
        assertEquals("aaaa", resolver.resolve(request("db1", CredentialType.JDBC, "c")).get("password"));

        FileTime before = Files.getLastModifiedTime(vaultFile);
        Files.writeString(vaultFile, "{\"db1\": {\"password\": \"bbbb\"}}");
        Files.setLastModifiedTime(vaultFile, FileTime.fromMillis(before.toMillis() + 2000));
        assertEquals("bbbb", resolver.resolve(request("db1", CredentialType.JDBC, "c")).get("password"));
    }

    @Test
    public void anAtomicReplaceIsPickedUp() throws Exception {
        write(vaultFile, "{\"db1\": {\"password\": \"aaaa\"}}", "rw-------");
        VaultFileResolver resolver = resolver();
        assertEquals("aaaa", resolver.resolve(request("db1", CredentialType.JDBC, "c")).get("password"));

        // Same size and the same modification time, but a new file (inode), as editors and tools write.
        FileTime time = Files.getLastModifiedTime(vaultFile);
        Path next = write(data.resolve("vault.json.tmp"), "{\"db1\": {\"password\": \"bbbb\"}}", "rw-------");
        Files.setLastModifiedTime(next, time);
        Files.move(next, vaultFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertEquals("bbbb", resolver.resolve(request("db1", CredentialType.JDBC, "c")).get("password"));
    }

    @Test
    public void anEditThatBreaksTheFileIsReportedAndItsFixPickedUp() throws Exception {
        write(vaultFile, VAULT, "rw-------");
        VaultFileResolver resolver = resolver();
        resolver.resolve(request("db1", CredentialType.JDBC, "db-vault"));

        Files.writeString(vaultFile, "{\"db1\": ");
        assertTrue(failure(resolver, request("db1", CredentialType.JDBC, "db-vault")).contains("is not valid JSON"));

        Files.writeString(vaultFile, VAULT);
        assertEquals(SECRET, resolver.resolve(request("db1", CredentialType.JDBC, "db-vault")).get("password"));
    }

    @Test
    public void concurrentCallsDuringEditsSeeOneVersionOrTheOther() throws Exception {
        String a = "{\"db1\": {\"user_name\": \"ua\", \"password\": \"pa\"}}";
        String b = "{\"db1\": {\"user_name\": \"user-b\", \"password\": \"password-b\"}}";
        write(vaultFile, a, "rw-------");
        VaultFileResolver resolver = resolver();
        Set<Map<String, String>> valid = Set.of(Map.of("user_name", "ua", "password", "pa"),
                Map.of("user_name", "user-b", "password", "password-b"));

        ExecutorService pool = Executors.newFixedThreadPool(3);
        AtomicBoolean stop = new AtomicBoolean();
        try {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                readers.add(pool.submit(() -> {
                    int resolved = 0;
                    while (!stop.get()) {
                        // Replaced atomically: every call sees the old file or the new one, never an error.
                        Map<String, String> fields = resolver.resolve(request("db1", CredentialType.JDBC, "c"));
                        assertTrue("a mixed or partial answer: " + fields.keySet(), valid.contains(fields));
                        resolved++;
                    }
                    return resolved;
                }));
            }
            for (int i = 0; i < 200; i++) {
                Path next = write(data.resolve("next.tmp"), i % 2 == 0 ? b : a, "rw-------");
                Files.move(next, vaultFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            stop.set(true);
            int total = 0;
            for (Future<Integer> reader : readers) {
                total += reader.get(30, TimeUnit.SECONDS);
            }
            assertTrue("the readers resolved", total > 0);
            assertEquals(valid.stream().filter(m -> m.get("user_name").equals("ua")).findFirst().orElseThrow(),
                    resolver.resolve(request("db1", CredentialType.JDBC, "c")));
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- configuration

    @Test
    public void vaultPathFollowsTheConfigurationAndMidwayData() {
        Path d = Path.of("/srv/midway/data");
        assertEquals(d.resolve("vault.json"), VaultFileResolver.vaultPath("${midway.data}/vault.json", "/srv/midway/data"));
        assertEquals(d.resolve("vault.json"), VaultFileResolver.vaultPath("", "/srv/midway/data"));
        assertEquals(d.resolve("vault.json"), VaultFileResolver.vaultPath(null, "/srv/midway/data"));
        assertEquals(d.resolve("secrets/v.json"), VaultFileResolver.vaultPath("secrets/v.json", "/srv/midway/data"));
        assertEquals(d.resolve("v.json"), VaultFileResolver.vaultPath(" ${midway.data}/x/../v.json ", "/srv/midway/data"));
        assertEquals(Path.of("/etc/midway/vault.json"), VaultFileResolver.vaultPath("/etc/midway/vault.json", "/srv/midway/data"));
        assertEquals(Path.of("./data/agent/vault.json").toAbsolutePath().normalize(),
                VaultFileResolver.vaultPath("${midway.data}/vault.json", null));
        assertEquals(Path.of("./data/agent/v.json").toAbsolutePath().normalize(), VaultFileResolver.vaultPath("v.json", " "));
    }

    @Test
    public void aConfiguredFileIsUsed() throws Exception {
        Path other = write(temp.newFolder("etc").toPath().toRealPath().resolve("team.json"), VAULT, "rw-------");
        VaultFileResolver resolver = new VaultFileResolver(config(other.toString()), data.toString());
        assertEquals(other, resolver.vaultFile());
        assertEquals(SECRET, resolver.resolve(request("db1", CredentialType.JDBC, "db-vault")).get("password"));
    }

    @Test
    public void shellWordsAreQuotedWhenNeeded() {
        assertEquals("/x/vault.json", VaultFile.shellWord("/x/vault.json"));
        assertEquals("'/x/my vault.json'", VaultFile.shellWord("/x/my vault.json"));
        assertEquals("'/x/it'\\''s.json'", VaultFile.shellWord("/x/it's.json"));
    }
}
