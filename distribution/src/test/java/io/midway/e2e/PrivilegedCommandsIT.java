package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.testing.servers.OpenSshServer;
import io.midway.testing.servers.TestPrograms;

/**
 * Privileged commands of the SSHCommand probe on the real distribution, against the real sshd on
 * loopback: the agent's etc/io.midway.probe.ssh.cfg lists {@code id}; the test account
 * ({@code MIDWAY_IT_SSH_USER}) may run {@code /usr/bin/id} as root by the sudoers drop-in that
 * {@code .ci/run} writes. A credential with {@code sudo=true} (set on the instance) runs
 * {@code id -u} as root; one without runs it unprivileged; a command not on the list asking for
 * sudo is refused; emptying the list in the file takes sudo away without a restart. Steps run in
 * name order.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class PrivilegedCommandsIT {

    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    static OpenSshServer sshd;
    static OpenSshServer.PasswordLogin login;
    static AgentAndInstance midway;

    @BeforeClass
    public static void start() throws Exception {
        TestPrograms.path("sudo");
        login = OpenSshServer.passwordLogin();
        sshd = OpenSshServer.start();
        midway = AgentAndInstance.start("e2e-sudo", false,
                copy -> Files.writeString(copy.resolve("etc/io.midway.probe.ssh.cfg"), "privileged.commands = id\n"));
        midway.awaitCapability("ssh", true);
        ObjectNode allowed = Http.JSON.createObjectNode();
        allowed.put("name", "may-sudo").put("type", "basic").put("user_name", login.user()).put("password", login.password())
                .put("sudo", true).put("order", 10);
        midway.createCredential(allowed.toString());
        ObjectNode plain = Http.JSON.createObjectNode();
        plain.put("name", "no-sudo").put("type", "basic").put("user_name", login.user()).put("password", login.password())
                .put("order", 20);
        midway.createCredential(plain.toString());
    }

    @AfterClass
    public static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {midway, sshd}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // the other still stops
                }
            }
        }
    }

    private static ObjectNode ssh(String command, String credential) {
        ObjectNode payload = Http.JSON.createObjectNode();
        payload.put("host", "127.0.0.1").put("port", sshd.port()).put("command", command).put("credential", credential)
                .put("timeout_ms", 20000);
        return payload;
    }

    @Test
    public void t1_aListedCommandWithASudoCredentialRunsAsRoot() throws Exception {
        JsonNode input = midway.probe("SSHCommand", "id", ssh("id -u", "may-sudo"));
        assertEquals(input.toString(), "processed", input.path("state").asText());
        assertEquals(input.toString(), "0\n", input.path("payload").path("stdout").asText());
        assertTrue(input.toString(), input.path("payload").path("sudo").asBoolean());
    }

    @Test
    public void t2_aListedCommandWithACredentialWithoutSudoRunsUnprivileged() throws Exception {
        JsonNode input = midway.probe("SSHCommand", "id", ssh("id -u", "no-sudo"));
        assertEquals(input.toString(), "processed", input.path("state").asText());
        assertTrue(input.toString(), input.path("payload").path("stdout").asText().matches("[1-9][0-9]*\n"));
        assertFalse(input.toString(), input.path("payload").path("sudo").asBoolean());
    }

    @Test
    public void t3_aCommandNotOnTheListAskingForSudoIsRefused() throws Exception {
        Path marker = Path.of("/tmp", "midway-e2e-sudo-" + System.nanoTime());
        ObjectNode payload = ssh("touch " + marker, "may-sudo");
        payload.put("sudo", true);
        JsonNode input = midway.probe("SSHCommand", "touch", payload);
        assertEquals(input.toString(), "error", input.path("state").asText());
        assertEquals("'touch' is not on the privileged commands list (probe.ssh.privileged.commands): the list is id",
                input.path("error_string").asText());
        assertFalse(Files.exists(marker));

        ObjectNode trick = ssh("id -u; touch " + marker, "may-sudo");
        JsonNode refused = midway.probe("SSHCommand", "trick", trick);
        assertEquals(refused.toString(), "error", refused.path("state").asText());
        assertTrue(refused.toString(), refused.path("error_string").asText().startsWith("'id' is a privileged command, but the command "
                + "line holds a shell operator"));
        assertFalse(Files.exists(marker));
    }

    @Test
    public void t3b_theInstancesListWinsOverTheFileAndItsRemovalBringsTheFileBack() throws Exception {
        // a global property from the instance (ecc_agent_property), over etc/io.midway.probe.ssh.cfg's "id"
        HttpResponse<String> created = midway.admin.send("POST", "/api/now/table/ecc_agent_property",
                "{\"name\":\"probe.ssh.privileged.commands\",\"value\":\"whoami\"}");
        assertEquals(created.body(), 201, created.statusCode());
        String id = Http.JSON.readTree(created.body()).path("result").path("sys_id").asText();
        JsonNode unprivileged = midway.probe("SSHCommand", "id", ssh("id -u", "may-sudo"),
                answer -> !answer.path("payload").path("stdout").asText().equals("0\n"));
        assertEquals(unprivileged.toString(), "processed", unprivileged.path("state").asText());
        assertFalse(unprivileged.toString(), unprivileged.path("payload").path("sudo").asBoolean());

        HttpResponse<String> deleted = midway.admin.send("DELETE", "/api/now/table/ecc_agent_property/" + id, null);
        assertEquals(deleted.body(), 204, deleted.statusCode());
        JsonNode root = midway.probe("SSHCommand", "id", ssh("id -u", "may-sudo"),
                answer -> answer.path("payload").path("stdout").asText().equals("0\n"));
        assertTrue(root.toString(), root.path("payload").path("sudo").asBoolean());
        assertTrue("the agent process runs on", midway.agent.isAlive());
    }

    @Test
    public void t4_emptyingTheListTakesSudoAwayWithoutARestart() throws Exception {
        Files.writeString(midway.home.resolve("etc/io.midway.probe.ssh.cfg"), "privileged.commands = \n");
        JsonNode input = midway.probe("SSHCommand", "id", ssh("id -u", "may-sudo"),
                answer -> !answer.path("payload").path("stdout").asText().equals("0\n"));
        assertEquals(input.toString(), "processed", input.path("state").asText());
        assertFalse(input.toString(), input.path("payload").path("sudo").asBoolean());
        assertTrue("the agent process runs on", midway.agent.isAlive());
    }

    @Test
    public void t5_theAgentLogHoldsNoPassword() throws Exception {
        String log = Files.readString(midway.work.resolve("agent.log")) + Files.readString(midway.work.resolve("agent").resolve("agent.log"));
        assertFalse("the password in the agent log", log.contains(login.password()));
        assertTrue(log, log.contains("SSHCommand privileged commands (probe.ssh.privileged.commands): id"));
    }
}
