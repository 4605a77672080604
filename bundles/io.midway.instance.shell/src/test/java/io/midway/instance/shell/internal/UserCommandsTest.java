package io.midway.instance.shell.internal;

import io.midway.instance.api.Users;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.midway.instance.internal.AgentIdentities;
import io.midway.instance.internal.ServiceFixture;
import io.midway.instance.internal.UserRealm;
import io.midway.instance.api.UserRow;

/**
 * The instance: user commands in a real Gogo 1.1 command processor over a real
 * {@link AgentIdentities} on H2: list, add (a generated password, printed once, that logs in),
 * disable (the login stops), enable, delete, the rules of the Table API, and wrong arguments
 * answering the usage.
 */
public class UserCommandsTest extends ServiceFixture {

    private static final Pattern PASSWORD = Pattern.compile("kept nowhere in clear:\\n  (\\S+)\\n");

    private AgentIdentities identities;
    private UserRealm realm;
    private CommandProcessorImpl processor;
    private CommandSession session;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    @Before
    public void setUpShell() {
        identities = new AgentIdentities(service.core());
        realm = new UserRealm(Map.of("midway.admin.password", "admin-pw", "midway.agent.password", "agent-pw")::get,
                identities);
        UserCommands commands = new UserCommands(identities, realm);
        processor = new CommandProcessorImpl(null);
        processor.addCommand("instance", new UsersCommand(commands), "users");
        UserChangeCommand change = new UserChangeCommand(commands);
        for (String f : List.of("user-add", "user-disable", "user-enable", "user-delete")) {
            processor.addCommand("instance", change, f);
        }
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
    }

    @After
    public void tearDown() {
        session.close();
        processor.stop();
    }

    private String run(String line) throws Exception {
        Object result = session.execute(line);
        return result == null ? "" : result.toString();
    }

    private boolean logsIn(String user, String password) {
        return realm.authenticate(user, password).isPresent();
    }

    @Test
    public void usersListsEveryIdentityWithoutAPassword() throws Exception {
        assertTrue(run("instance:users"), run("instance:users").startsWith("no identities"));
        register("dc-1");
        identities.enroll("dc-1");
        String out = run("users");
        String[] lines = out.split("\n");
        assertEquals(out, 2, lines.length);
        assertTrue(out, lines[0].matches("USER NAME\\s+AGENT\\s+ROLES\\s+ACTIVE\\s+SOURCE\\s+CREATED"));
        assertTrue(out, lines[1].matches("mid\\.server\\.dc-1\\s+dc-1\\s+mid_server\\s+yes\\s+enrolled\\s+\\d{4}-.*"));
        UserRow row = identities.find("mid.server.dc-1").orElseThrow();
        assertFalse("never a password hash", out.contains(row.passwordHash()) || out.contains("pbkdf2"));
    }

    @Test
    public void addPrintsAGeneratedPasswordOnceThatLogsIn() throws Exception {
        String out = run("instance:user-add edge-7 edge7");
        assertTrue(out, out.startsWith("Identity edge-7 created for agent edge7 (role mid_server)."));
        Matcher m = PASSWORD.matcher(out);
        assertTrue(out, m.find());
        String password = m.group(1);
        assertTrue(password, password.length() >= 12);
        assertTrue("the printed password logs in", logsIn("edge-7", password));
        Users.User user = realm.authenticate("edge-7", password).orElseThrow();
        assertEquals("edge7", user.agent());
        assertTrue(realm.mayActFor(user, "edge7"));
        assertFalse(realm.mayActFor(user, "other"));
        UserRow row = identities.find("edge-7").orElseThrow();
        assertEquals("admin", row.source());
        assertFalse("not stored in clear", row.passwordHash().contains(password));
        assertTrue(run("instance:users"), run("instance:users").contains("edge-7"));
        // a second one gets another password
        String other = run("instance:user-add edge-8 edge8");
        Matcher m2 = PASSWORD.matcher(other);
        assertTrue(other, m2.find());
        assertFalse(password.equals(m2.group(1)));
    }

    @Test
    public void addFollowsTheRulesOfTheTableApi() throws Exception {
        run("instance:user-add edge-7 edge7");
        assertEquals("instance:user-add: identity 'edge-7' was not created: user 'edge-7' exists already "
                + "(choose another user_name)", run("instance:user-add edge-7 edge9"));
        assertTrue(run("instance:user-add admin x"), run("instance:user-add admin x").contains("user 'admin' exists already"));
        assertTrue(run("instance:user-add mid x"), run("instance:user-add mid x").contains("user 'mid' exists already"));
        String bad = run("instance:user-add edge-9 'bad agent/name'");
        assertTrue(bad, bad.startsWith("instance:user-add: identity 'edge-9' was not created: field 'agent': "));
        String longName = "u".repeat(201);
        assertTrue(run("instance:user-add " + longName + " a"), run("instance:user-add " + longName + " a")
                .contains("field 'user_name' is required (1 to 200 characters)"));
        assertEquals(1, identities.all().size());
    }

    @Test
    public void disableStopsTheLoginEnableRestoresItDeleteRemovesIt() throws Exception {
        register("dc-1");
        String password = identities.enroll("dc-1");
        assertTrue(logsIn("mid.server.dc-1", password));

        assertEquals("Identity mid.server.dc-1 disabled: it can no longer log in.",
                run("instance:user-disable mid.server.dc-1"));
        assertFalse("a disabled identity cannot log in", logsIn("mid.server.dc-1", password));
        assertFalse(identities.find("mid.server.dc-1").orElseThrow().active());
        assertTrue(run("instance:users"), run("instance:users").matches("(?s).*mid\\.server\\.dc-1\\s+dc-1\\s+mid_server\\s+no.*"));
        assertEquals("Identity mid.server.dc-1 is disabled already.", run("instance:user-disable mid.server.dc-1"));

        assertEquals("Identity mid.server.dc-1 enabled: it may log in again.", run("instance:user-enable mid.server.dc-1"));
        assertTrue(logsIn("mid.server.dc-1", password));

        assertEquals("Identity mid.server.dc-1 deleted: agent dc-1 may enroll again.",
                run("instance:user-delete mid.server.dc-1"));
        assertFalse(logsIn("mid.server.dc-1", password));
        assertTrue(identities.find("mid.server.dc-1").isEmpty());
        assertEquals("instance:user-delete: no identity 'mid.server.dc-1'; instance:users lists them",
                run("instance:user-delete mid.server.dc-1"));
        assertTrue(run("instance:user-disable admin"), run("instance:user-disable admin")
                .contains("admin and the shared agent user are set by the launcher"));
    }

    @Test
    public void wrongArgumentsAnswerTheUsage() throws Exception {
        String users = run("instance:users everything");
        assertTrue(users, users.startsWith("instance:users: wrong arguments 'everything'"));
        assertTrue(users, users.contains("list the sys_user identities"));

        String add = run("instance:user-add only-a-name");
        assertTrue(add, add.startsWith("instance:user-add: wrong arguments 'only-a-name'\nusage:"));
        assertTrue(add, add.contains("instance:user-add <user name> <agent>"));
        assertTrue("the help says why the password is generated", add.contains("shell history"));
        assertTrue(identities.all().isEmpty());

        String disable = run("instance:user-disable");
        assertTrue(disable, disable.startsWith("instance:user-disable: wrong arguments\nusage:"));
        assertTrue(disable, disable.contains("instance:user-disable <user name>"));
        assertFalse("only its own form", disable.contains("user-add"));
        assertTrue(run("instance:user-delete a b"), run("instance:user-delete a b")
                .startsWith("instance:user-delete: wrong arguments 'a b'"));
        String help = run("instance:user-enable --help");
        assertTrue(help, help.startsWith("usage:\n  instance:user-enable <user name>"));
    }
}
