package io.midway.instance.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Set;

import org.junit.Test;

import io.midway.instance.api.UserRow;

/**
 * The identity of an agent known by its client certificate (mutual TLS): made at its first
 * request, an agent and nothing more, and refused once disabled or when the name is another's.
 */
public class CertificateIdentityTest extends ServiceFixture {

    @Test
    public void aCertificateGetsAnIdentityOnceThatAnAdminCanDisable() {
        AgentIdentities identities = new AgentIdentities(service.core());
        AgentIdentities.Identity first = identities.byCertificate("lab-7").orElseThrow();
        assertEquals("mid.server.lab-7", first.userName());
        assertEquals("lab-7", first.agent());
        assertEquals(Set.of(AgentIdentities.ROLE_MID_SERVER), first.roles());
        UserRow row = identities.find("mid.server.lab-7").orElseThrow();
        assertEquals(AgentIdentities.SOURCE_CERTIFICATE, row.source());
        assertEquals("made once", 1, identities.all().size());
        identities.byCertificate("lab-7").orElseThrow();
        assertEquals(1, identities.all().size());

        identities.update(new UserRow(row.sysId(), row.userName(), row.roles(), row.agent(), false, row.passwordHash(),
                row.source(), row.createdOn()), null);
        assertTrue("disabled by an admin", identities.byCertificate("lab-7").isEmpty());
    }

    @Test
    public void aNameBoundToAnotherAgentOrGivenAdminRolesStaysAnAgentOrIsRefused() {
        AgentIdentities identities = new AgentIdentities(service.core());
        identities.create(new UserRow(null, "mid.server.edge", "mid_server", "other-agent", true, null, null, null),
                "a-password-long-enough");
        assertTrue("the user name is bound to another agent", identities.byCertificate("edge").isEmpty());
        identities.create(new UserRow(null, "mid.server.boss", "admin,mid_server", "boss", true, null, null, null),
                "a-password-long-enough");
        AgentIdentities.Identity boss = identities.byCertificate("boss").orElseThrow();
        assertEquals("a certificate is an agent and nothing more", Set.of(AgentIdentities.ROLE_MID_SERVER), boss.roles());
    }
}
