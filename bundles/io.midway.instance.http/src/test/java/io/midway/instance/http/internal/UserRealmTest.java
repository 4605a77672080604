package io.midway.instance.http.internal;

import io.midway.instance.internal.UserRealm;
import io.midway.instance.api.Users;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import org.junit.Test;

public class UserRealmTest {

    private static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    public void parsesBasicHeaders() {
        BasicCredentials c = BasicCredentials.parse(basic("admin:s3cr:et")).orElseThrow();
        assertEquals("admin", c.user());
        assertEquals("the password may hold colons", "s3cr:et", c.password());
        assertEquals("empty password", "", BasicCredentials.parse(basic("mid:")).orElseThrow().password());
        assertEquals("scheme is case-insensitive", "x",
                BasicCredentials.parse("bAsIc   " + Base64.getEncoder().encodeToString("x:y".getBytes())).orElseThrow()
                        .user());
        assertEquals("pässwörd", BasicCredentials.parse(basic("u:pässwörd")).orElseThrow().password());
    }

    @Test
    public void rejectsMalformedHeaders() {
        assertFalse(BasicCredentials.parse(null).isPresent());
        assertFalse(BasicCredentials.parse("").isPresent());
        assertFalse(BasicCredentials.parse("Basic").isPresent());
        assertFalse(BasicCredentials.parse("Bearer abc").isPresent());
        assertFalse(BasicCredentials.parse("Basic !!!not-base64").isPresent());
        assertFalse("no colon", BasicCredentials.parse(basic("admin")).isPresent());
    }

    @Test
    public void toStringHidesThePassword() {
        String text = new BasicCredentials("admin", "hunter2").toString();
        assertTrue(text.contains("admin"));
        assertFalse(text.contains("hunter2"));
    }

    @Test
    public void usersAndRolesFromFrameworkProperties() {
        UserRealm realm = new UserRealm(Map.of("midway.admin.password", "adminpw", "midway.agent.user", "agent",
                "midway.agent.password", "agentpw")::get);
        Users.User admin = realm.authenticate("admin", "adminpw").orElseThrow();
        assertEquals(Set.of("admin", "mid_server"), admin.roles());
        Users.User agent = realm.authenticate("agent", "agentpw").orElseThrow();
        assertEquals("the shared agent user only enrolls agents", Set.of("mid_enroll"), agent.roles());
        assertFalse(agent.hasRole("mid_server"));
        assertFalse("it acts for no agent", realm.mayActFor(agent, "a1"));
        assertTrue("an admin acts for every agent", realm.mayActFor(admin, "a1"));
        assertFalse(agent.hasRole("admin"));
        assertFalse(realm.authenticate("admin", "agentpw").isPresent());
        assertFalse(realm.authenticate("agent", "agentpw ").isPresent());
        assertFalse(realm.authenticate("mid", "agentpw").isPresent());
        assertFalse(realm.authenticate("nobody", "").isPresent());
    }

    @Test
    public void noPasswordPropertyMeansNoLoginAndNoDefaults() {
        UserRealm realm = new UserRealm(Map.<String, String>of()::get);
        assertFalse(realm.authenticate("admin", "").isPresent());
        assertFalse(realm.authenticate("admin", "admin").isPresent());
        assertFalse(realm.authenticate("mid", "").isPresent());
        assertFalse(realm.authenticate("mid", "mid").isPresent());
        UserRealm agentOnly = new UserRealm(Map.of("midway.agent.password", "pw")::get);
        assertTrue("default agent user is mid",
                agentOnly.authenticate("mid", "pw").isPresent());
    }

    @Test
    public void aClientCertificateNamesItsAgentByItsCn() throws Exception {
        assertEquals(java.util.Optional.of("lab-7"), UserRealm.agentOfSubject(subject("CN=lab-7, O=Example")));
        assertEquals(java.util.Optional.of("lab-7"), UserRealm.agentOfSubject(subject("CN=mid.server.lab-7")));
        assertEquals("not an agent name", java.util.Optional.empty(),
                UserRealm.agentOfSubject(subject("CN=lab 7\\, admin")));
        assertEquals(java.util.Optional.empty(), UserRealm.agentOfSubject(subject("O=No CN")));
        UserRealm off = new UserRealm(Map.of(Users.ADMIN_PASSWORD_PROPERTY, "x")::get);
        assertFalse("client certificates are off unless the launcher turns them on", off.acceptsClientCertificates());
    }

    private static javax.security.auth.x500.X500Principal subject(String name) {
        return new javax.security.auth.x500.X500Principal(name);
    }
}
