package io.midway.instance.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.api.SyncState;
import io.midway.instance.internal.FileSyncService;
import io.midway.instance.internal.FileSyncServiceTest;
import io.midway.instance.internal.TestBundles;
import io.midway.instance.internal.UploadSigning;
import io.midway.testing.jars.TestSigner;
import io.midway.testing.jars.TestJars;
import io.midway.wire.Json;

/** The File sync page on a real Jetty over the real file-sync repository on H2. */
public class FileSyncConsolePluginHttpTest extends RepositoryPagesFixture {

    private FileSyncService files;
    private UploadSigning signing;
    private TestSigner signer;
    private Path echo;

    @Before
    public void start() throws Exception {
        signer = TestSigner.make(tmp.getRoot().toPath().resolve("signers.p12"), "ours", "CN=Plug-in signer");
        signing = new UploadSigning();
        files = new FileSyncService(service.core(), tmp.getRoot().toPath().resolve("files"),
                FileSyncService.MAX_FILE_BYTES).withSigning(signing);
        echo = TestBundles.echo(tmp.getRoot().toPath().resolve("echo.jar"));
        startPage(FileSyncConsolePlugin.LABEL, new FileSyncConsolePlugin(files, service.agents(), service.events(),
                signing));
    }

    private Map<String, String> uploadForm(String token, String kind, String name) {
        Map<String, String> form = new LinkedHashMap<>();
        if (token != null) {
            form.put("token", token);
        }
        form.put("action", "upload");
        form.put("kind", kind);
        form.put("name", name);
        return form;
    }

    @Test
    public void uploadThroughThePageListsTheJarAndDeleteRemovesIt() throws Exception {
        String token = token(page());
        String after = follow(postMultipart(browser, uploadForm(token, "probe", ""), echo));

        assertTrue(notice(after), notice(after).contains("Stored io.midway.testing.echo-"));
        String sha = TestJars.sha256(echo);
        int row = after.indexOf("<tr data-symbolic-name=\"" + TestBundles.ECHO + "\">");
        assertTrue(after, row >= 0);
        String line = after.substring(row, after.indexOf("</tr>", row));
        assertTrue(line, line.contains("<td>probe</td><td>" + TestBundles.ECHO + "</td>"));
        assertTrue(line, line.contains("title=\"" + sha + "\""));
        assertTrue(line, line.contains("<td>" + Files.size(echo) + "</td>"));
        assertEquals(1, files.listing().files().size());

        JsonNode json = Json.mapper().readTree(json());
        assertEquals(files.revision(), json.path("revision").asText());
        assertEquals(TestBundles.ECHO, json.path("files").path(0).path("symbolic_name").asText());
        assertEquals("probe", json.path("files").path(0).path("kind").asText());
        assertEquals(sha, json.path("files").path(0).path("sha256").asText());
        assertEquals(0, json.path("files").path(0).path("downloads").asLong());

        // the same bytes again change nothing
        String revision = files.revision();
        String again = follow(postMultipart(browser, uploadForm(token, "probe", ""), echo));
        assertTrue(notice(again), notice(again).contains("Already stored, unchanged"));
        assertEquals(revision, files.revision());

        Map<String, String> delete = Map.of("token", token, "action", "delete", "symbolic_name", TestBundles.ECHO);
        String deleted = follow(post(browser, delete));
        assertTrue(notice(deleted), notice(deleted).contains("Deleted "));
        assertTrue(files.listing().files().isEmpty());
        assertTrue(deleted, deleted.contains("The repository is empty."));
        assertFalse(revision.equals(files.revision()));
    }

    @Test
    public void withSignaturesRequiredThePageNamesTheSignersAndRefusesAnUnsignedJar() throws Exception {
        assertTrue(page(), page().contains("Signatures: not required"));
        signing.configure(FileSyncServiceTest.signingConfiguration(true, signer.fingerprint()));
        String shown = page();
        assertTrue(shown, shown.contains("Signatures: required"));
        assertTrue(shown, shown.contains("<li><code>" + signer.fingerprint() + "</code></li>"));

        String token = token(shown);
        String refused = follow(postMultipart(browser, uploadForm(token, "probe", ""), echo));
        assertTrue(notice(refused), notice(refused).contains("The jar was refused: the plug-in is refused: it is not signed"));
        assertTrue(files.listing().files().isEmpty());
        String taken = follow(postMultipart(browser, uploadForm(token, "probe", ""),
                signer.signCopy(echo, tmp.getRoot().toPath().resolve("signed.jar"))));
        assertEquals(notice(taken), 1, files.listing().files().size());

        signing.configure(FileSyncServiceTest.signingConfiguration(true));
        assertTrue(page(), page().contains("the configuration cannot be used, so every upload is refused"));
    }

    @Test
    public void aCorruptJarIsRefusedWithItsReasonAndNothingStored() throws Exception {
        String token = token(page());
        String revision = files.revision();
        Path corrupt = TestJars.corrupt(tmp.getRoot().toPath().resolve("corrupt.jar"));

        String after = follow(postMultipart(browser, uploadForm(token, "probe", ""), corrupt));

        assertTrue(notice(after), notice(after).contains("ui-state-error"));
        assertTrue(notice(after), notice(after).contains("The jar was refused: not a jar: "));
        assertTrue(files.listing().files().isEmpty());
        assertEquals(revision, files.revision());

        String none = follow(postMultipart(browser, uploadForm(token, "probe", ""), null));
        assertTrue(notice(none), notice(none).contains("No file was uploaded"));
    }

    @Test
    public void withoutTheSessionTokenAnUploadOrDeleteIsForbiddenAndChangesNothing() throws Exception {
        String token = token(page());
        files.upload(Files.newInputStream(echo), Files.size(echo), "probe", null);
        String revision = files.revision();

        assertEquals(403, postMultipart(browser, uploadForm(null, "library",
                ""), TestJars.withVersion(echo, tmp.getRoot().toPath().resolve("e2.jar"), "9.0.0")).statusCode());
        assertEquals(403, post(browser, Map.of("token", "0".repeat(32), "action", "delete", "symbolic_name",
                TestBundles.ECHO)).statusCode());
        // another browser (no session) with this session's token
        assertEquals(403, post(newBrowser(), Map.of("token", token, "action", "delete", "symbolic_name",
                TestBundles.ECHO)).statusCode());

        assertEquals(revision, files.revision());
        assertEquals("probe", files.listing().files().get(0).file().kind());
    }

    @Test
    public void userInputIsShownAsText() throws Exception {
        String token = token(page());
        String after = follow(postMultipart(browser, uploadForm(token, "probe", "<script>alert(1)<.jar"), echo));
        assertFalse(after, after.contains("<script>"));
        assertTrue(after, after.contains("&lt;script&gt;alert(1)&lt;.jar"));
        String refused = follow(postMultipart(browser, uploadForm(token, "<script>x", ""), echo));
        assertFalse(refused, refused.contains("<script>"));
        assertTrue(notice(refused), notice(refused).contains("unknown kind &#39;&lt;script&gt;x&#39;"));
        assertTrue(json().contains("<script>alert(1)<.jar"));
    }

    @Test
    public void eachAgentShowsTheRevisionItAppliedAndItsFailures() throws Exception {
        files.upload(Files.newInputStream(echo), Files.size(echo), "probe", null);
        register("dc-ok");
        register("dc-bad");
        register("dc-new");
        String revision = files.revision();
        service.agents().syncReport(new SyncState("dc-ok", revision, SyncState.STATE_APPLIED, List.of(
                new SyncState.Result(TestBundles.ECHO, "1.0.0", TestJars.sha256(echo), "install", "ok", null))));
        service.agents().syncReport(new SyncState("dc-bad", revision, SyncState.STATE_FAILED, List.of(
                new SyncState.Result(TestBundles.ECHO, "1.0.0", TestJars.sha256(echo), "install", "failed",
                        "Unresolved requirement: <script>x</script>"))));

        String html = page();
        String ok = agentRow(html, "dc-ok");
        assertTrue(ok, ok.contains("<td>" + revision + "</td><td>applied</td>"));
        String bad = agentRow(html, "dc-bad");
        assertTrue(bad, bad.contains("midway-sync-failed"));
        assertTrue(bad, bad.contains("Unresolved requirement: &lt;script&gt;"));
        assertFalse(html, html.contains("<script>"));
        String fresh = agentRow(html, "dc-new");
        assertTrue(fresh, fresh.contains("<td>not reported</td>"));

        JsonNode agents = Json.mapper().readTree(json()).path("agents");
        assertEquals(3, agents.size());
        for (JsonNode agent : agents) {
            switch (agent.path("name").asText()) {
                case "dc-ok" -> assertTrue(agent.path("current").asBoolean());
                case "dc-bad" -> {
                    assertEquals("failed", agent.path("sync_state").asText());
                    assertEquals("file_sync.failed", agent.path("last_report").path("event").asText());
                    assertTrue(agent.toString(), agent.path("last_report").path("detail").asText()
                            .contains("Unresolved requirement"));
                }
                default -> assertTrue(agent.path("sync_state").isNull());
            }
        }
    }

    @Test
    public void longListsArePaged() throws Exception {
        for (int i = 0; i < RepositoryConsoleForms.PAGE_SIZE + 5; i++) {
            register(String.format("agent-%03d", i));
        }
        String html = page();
        assertEquals(RepositoryConsoleForms.PAGE_SIZE, html.split("<tr data-agent=").length - 1);
        assertTrue(html, html.contains("<a rel=\"next\" href=\"" + root + "?agents=" + RepositoryConsoleForms.PAGE_SIZE
                + "\">next</a>"));
        String second = get(browser, root + "?agents=" + RepositoryConsoleForms.PAGE_SIZE).body();
        assertEquals(5, second.split("<tr data-agent=").length - 1);
        assertTrue(second, second.contains("agent-054"));
        assertFalse(second, second.contains("rel=\"next\""));
    }

    private static String agentRow(String html, String name) {
        int start = html.indexOf("<tr data-agent=\"" + name + "\">");
        assertTrue("row of " + name + " in " + html, start >= 0);
        return html.substring(start, html.indexOf("</tr>", start));
    }

}
