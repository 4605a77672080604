package io.midway.instance.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.internal.CredentialAffinityService;
import io.midway.instance.internal.CredentialCipher;
import io.midway.instance.internal.CredentialService;
import io.midway.wire.Json;

/** The Credentials page on a real Jetty over the real credential store on H2 (and without it). */
public class CredentialConsolePluginHttpTest extends RepositoryPagesFixture {

    private static final String SECRET = "s3cr3t-Pa55-do-not-show";

    private CredentialService credentials;

    private void startWithStore() throws Exception {
        credentials = new CredentialService(service.core(), tmp.getRoot().toPath().resolve(CredentialCipher.KEY_FILE));
        CredentialAffinityService affinity = new CredentialAffinityService(service.core());
        startPage(CredentialConsolePlugin.LABEL, new CredentialConsolePlugin(credentials, affinity));
        register("dc-1");
    }

    private static Map<String, String> form(String token, String action, String name, String type, String userName,
            String password) {
        Map<String, String> form = new LinkedHashMap<>();
        if (token != null) {
            form.put("token", token);
        }
        form.put("action", action);
        form.put("name", name);
        form.put("type", type);
        form.put("order", "10");
        form.put("active", "true");
        form.put("user_name", userName);
        form.put("resolver", "");
        form.put("external_id", "");
        form.put("password", password);
        form.put("community", "");
        return form;
    }

    private List<ObjectNode> all() {
        return credentials.list(TableQuery.all(TableSchema.DISCOVERY_CREDENTIALS));
    }

    @Test
    public void createAndEditACredentialWithoutEverShowingItsSecret() throws Exception {
        startWithStore();
        String token = token(page());

        String created = follow(post(browser, form(token, "create", "lab-linux", "basic", "scott", SECRET)));
        assertTrue(notice(created), notice(created).contains("Credential lab-linux created."));
        assertEquals(1, all().size());
        String sysId = all().get(0).path("sys_id").asText();
        assertFalse(created, created.contains(SECRET));
        int start = created.indexOf("<tr data-sys-id=\"" + sysId + "\">");
        String row = created.substring(start, created.indexOf("</tr>", start));
        assertTrue(row, row.contains("<td>lab-linux</td><td>basic</td><td>10</td><td>yes</td><td>scott</td><td>no</td><td>—</td>"
                + "<td>password set</td>"));
        String json = json();
        assertFalse(json, json.contains(SECRET));
        JsonNode listed = Json.mapper().readTree(json).path("credentials").path(0);
        assertEquals("lab-linux", listed.path("name").asText());
        assertEquals("password", listed.path("secrets_set").path(0).asText());
        assertTrue(listed.path("active").asBoolean());

        // the edit form: values filled in, the secret field empty
        String edit = get(browser, root + "?edit=" + sysId).body();
        assertFalse(edit, edit.contains(SECRET));
        int form = edit.indexOf("<form method=\"post\" id=\"midway-credential-edit\"");
        String editForm = edit.substring(form, edit.indexOf("</form>", form));
        assertTrue(editForm, editForm.contains("name=\"name\" value=\"lab-linux\""));
        assertTrue(editForm, editForm.contains("name=\"password\" value=\"\""));
        assertTrue(editForm, editForm.contains("set; type to replace"));

        // saving without typing the secret keeps it; unticking active deactivates
        Map<String, String> change = form(token, "update", "lab-linux-2", "basic", "tiger", "");
        change.put("sys_id", sysId);
        change.remove("active");
        String saved = follow(post(browser, change));
        assertTrue(notice(saved), notice(saved).contains("Credential lab-linux-2 saved."));
        ObjectNode stored = credentials.get(sysId).orElseThrow();
        assertEquals("lab-linux-2", stored.path("name").asText());
        assertEquals("tiger", stored.path("user_name").asText());
        assertFalse(stored.path("active").asBoolean());
        assertEquals("password", stored.path("secrets_set").path(0).asText());
        assertFalse(saved, saved.contains(SECRET));

        // the sudo flag: ticked, shown ticked in the edit form and in the table; unticked, false again
        Map<String, String> sudo = form(token, "update", "lab-linux-2", "basic", "tiger", "");
        sudo.put("sys_id", sysId);
        sudo.put("sudo", "true");
        String withSudo = follow(post(browser, sudo));
        assertTrue(notice(withSudo), notice(withSudo).contains("Credential lab-linux-2 saved."));
        assertTrue(credentials.get(sysId).orElseThrow().path("sudo").booleanValue());
        assertTrue(withSudo, withSudo.contains("<td>tiger</td><td>yes</td>"));
        String sudoEdit = get(browser, root + "?edit=" + sysId).body();
        int at = sudoEdit.indexOf("<form method=\"post\" id=\"midway-credential-edit\"");
        assertTrue(sudoEdit, sudoEdit.substring(at, sudoEdit.indexOf("</form>", at))
                .contains("name=\"sudo\" value=\"true\" checked"));
        assertTrue(Json.mapper().readTree(json()).path("credentials").path(0).path("sudo").booleanValue());
        sudo.remove("sudo");
        follow(post(browser, sudo));
        assertFalse(credentials.get(sysId).orElseThrow().path("sudo").booleanValue());
        // ticked for a type without the flag: refused with the store's reason
        Map<String, String> snmp = form(token, "create", "public", "snmp_community", "", "");
        snmp.put("community", "x");
        snmp.put("sudo", "true");
        String refused = follow(post(browser, snmp));
        assertTrue(notice(refused), notice(refused).contains("unknown field for type snmp_community: sudo"));
    }

    @Test
    public void aRefusedCredentialIsShownWithTheReasonAndNameEscaped() throws Exception {
        startWithStore();
        String token = token(page());
        String refused = follow(post(browser, form(token, "create", "<script>alert(1)</script>", "no-such-type",
                "scott", SECRET)));
        assertTrue(notice(refused), notice(refused).contains("ui-state-error"));
        assertTrue(notice(refused), notice(refused).contains("Credential &lt;script&gt;alert(1)&lt;/script&gt; was not created: "));
        assertFalse(refused, refused.contains("<script>"));
        assertFalse(refused, refused.contains(SECRET));
        assertTrue(all().isEmpty());

        String created = follow(post(browser, form(token, "create", "<script>alert(1)</script>", "basic", "scott",
                SECRET)));
        assertFalse(created, created.contains("<script>"));
        assertTrue(created, created.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
        assertTrue(json().contains("<script>alert(1)</script>"));
    }

    @Test
    public void withoutTheSessionTokenNothingIsCreated() throws Exception {
        startWithStore();
        String token = token(page());
        assertEquals(403, post(browser, form(null, "create", "x", "basic", "scott", SECRET)).statusCode());
        assertEquals(403, post(newBrowser(), form(token, "create", "x", "basic", "scott", SECRET)).statusCode());
        assertTrue(all().isEmpty());
    }

    @Test
    public void theAffinityTheAgentsReportIsListed() throws Exception {
        startWithStore();
        ObjectNode c = credentials.create(Json.mapper().readTree(
                "{\"name\":\"lab\",\"type\":\"basic\",\"user_name\":\"u\",\"password\":\"" + SECRET + "\"}"));
        new CredentialAffinityService(service.core()).replace(Json.mapper().readTree("{\"agent\":\"dc-1\",\"affinity\":"
                + "[{\"credential\":\"" + c.path("sys_id").asText() + "\",\"type\":\"basic\",\"target\":\"10.0.0.7\"}]}"));
        String html = page();
        assertTrue(html, html.contains("<tr><td>dc-1</td><td>lab</td><td>basic</td><td>10.0.0.7</td>"));
        JsonNode affinity = Json.mapper().readTree(json()).path("affinity");
        assertEquals("10.0.0.7", affinity.path(0).path("target").asText());
        assertFalse(html.contains(SECRET));
    }

    @Test
    public void withoutTheCredentialStoreThePageSaysSo() throws Exception {
        startPage(CredentialConsolePlugin.LABEL, new CredentialConsolePlugin(null, null));
        String html = page();
        assertTrue(html, html.contains("id=\"midway-credentials-unavailable\""));
        assertTrue(html, html.contains("The credential store is not running"));
        assertFalse(Json.mapper().readTree(json()).path("available").asBoolean(true));
        // the page has no form then; a POST without the session's token is refused as always
        assertEquals(403, post(browser, form(null, "create", "x", "basic", "scott", SECRET)).statusCode());
    }
}
