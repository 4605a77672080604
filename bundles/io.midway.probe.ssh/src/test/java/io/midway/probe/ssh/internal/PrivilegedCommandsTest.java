package io.midway.probe.ssh.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

import io.midway.api.probe.ProbeException;

/** The privileged commands rule without a server: the list, the credential flag, shell operators. */
public class PrivilegedCommandsTest {

    private final PrivilegedCommands rule = PrivilegedCommands.of("id, dmidecode,/usr/sbin/lsof");

    @Test
    public void theListIsCommaSeparatedAndEmptyMeansNothing() {
        assertEquals(List.of("/usr/sbin/lsof", "dmidecode", "id"), rule.names());
        assertEquals(List.of(), PrivilegedCommands.of("").names());
        assertEquals(List.of(), PrivilegedCommands.of(null).names());
        assertEquals(List.of("id"), PrivilegedCommands.of(" ,id,, ").names());
    }

    @Test
    public void aBadEntryIsRefusedNamingTheSetting() {
        for (String bad : List.of("id;rm", "./id", "bin/id", "$(x)", "a`b`", "'id'")) {
            IllegalArgumentException e = assertThrows(bad, IllegalArgumentException.class, () -> PrivilegedCommands.of(bad));
            assertTrue(e.getMessage(), e.getMessage().contains("probe.ssh.privileged.commands"));
        }
    }

    @Test
    public void theProgramIsComparedByNameOrAbsolutePathFileName() {
        assertTrue(rule.lists("id"));
        assertTrue(rule.lists("/usr/bin/id"));
        assertTrue(rule.lists("/usr/sbin/lsof"));
        assertFalse("a listed absolute path is that path only", rule.lists("lsof"));
        assertFalse("a relative path is never listed", rule.lists("./id"));
        assertFalse(rule.lists("idx"));
        assertFalse(rule.lists("rm"));
        assertEquals("id", PrivilegedCommands.program("  id -u "));
        assertEquals("/usr/bin/id", PrivilegedCommands.program("/usr/bin/id\t-u"));
        assertEquals("id", PrivilegedCommands.program("id;rm -rf /"));
        assertEquals("id", PrivilegedCommands.program("id&&x"));
    }

    @Test
    public void aListedCommandRunsWithSudoOnlyWhenTheCredentialAllowsIt() throws ProbeException {
        assertTrue(rule.elevate("id -u", null, "c", true));
        assertTrue(rule.elevate("/usr/bin/id -u", null, "c", true));
        assertTrue(rule.elevate("id -u", Boolean.TRUE, "c", true));
        // a listed command with a credential without sudo runs unprivileged, as the MID Server does
        assertFalse(rule.elevate("id -u", null, "c", false));
        // the payload may refuse sudo
        assertFalse(rule.elevate("id -u", Boolean.FALSE, "c", true));
        // not on the list: never
        assertFalse(rule.elevate("rm -rf /tmp/x", null, "c", true));
        assertFalse(PrivilegedCommands.of("").elevate("id -u", null, "c", true));
    }

    @Test
    public void askingForSudoNamesTheRuleBroken() throws ProbeException {
        assertEquals("'rm' is not on the privileged commands list (probe.ssh.privileged.commands): the list is "
                + "/usr/sbin/lsof,dmidecode,id", assertThrows(ProbeException.class, () -> rule.check("rm -rf /", Boolean.TRUE)).getMessage());
        assertEquals("'id' is not on the privileged commands list (probe.ssh.privileged.commands): the list is empty, so nothing "
                + "runs with sudo", assertThrows(ProbeException.class, () -> PrivilegedCommands.of("").check("id", Boolean.TRUE))
                .getMessage());
        ProbeException refused = assertThrows(PrivilegedCommands.CredentialRefusal.class,
                () -> rule.elevate("id -u", Boolean.TRUE, "lab-linux", false));
        assertEquals("credential 'lab-linux' does not allow sudo (its field sudo is not true)", refused.getMessage());
        rule.check("id -u", Boolean.TRUE);
        rule.check("rm x", null);
        rule.check("rm x", Boolean.FALSE);
    }

    @Test
    public void aCommandWithShellOperatorsIsNeverElevated() throws ProbeException {
        for (String trick : List.of("id; rm -rf /", "id && rm -rf /", "id || x", "id | tee /etc/x", "id $(rm -rf /)", "id `rm -rf /`",
                "id\nrm -rf /", "id\rrm", "id;rm -rf /", "id&&x", "id|x", "id$(x)", "id > /etc/passwd", "id < /etc/shadow", "id & rm -rf /", "id ${IFS}x", "id (x)")) {
            ProbeException asked = assertThrows(trick, ProbeException.class, () -> rule.check(trick, Boolean.TRUE));
            assertTrue(asked.getMessage(), asked.getMessage().startsWith("'id' is a privileged command, but the command line holds a "
                    + "shell operator"));
            ProbeException automatic = assertThrows(trick, ProbeException.class, () -> rule.elevate(trick, null, "c", true));
            assertEquals(asked.getMessage(), automatic.getMessage());
            // not elevated anyway: runs as before, unprivileged
            assertFalse(rule.elevate(trick, null, "c", false));
            assertFalse(rule.elevate(trick, Boolean.FALSE, "c", true));
        }
        // an unlisted command with operators is not this rule's business (it never runs with sudo)
        assertFalse(rule.elevate("echo a; echo b", null, "c", true));
    }

    @Test
    public void aCommandCallingSudoItselfIsRefused() {
        for (String command : List.of("sudo rm -rf /", "/usr/bin/sudo id", " sudo -u root id")) {
            ProbeException e = assertThrows(command, ProbeException.class, () -> rule.check(command, null));
            assertTrue(e.getMessage(), e.getMessage().startsWith("the command calls sudo itself"));
        }
    }

    @Test
    public void theCredentialFlagIsTrueOnlyWhenItSaysSo() {
        assertTrue(PrivilegedCommands.allows("true"));
        assertTrue(PrivilegedCommands.allows(" TRUE "));
        assertFalse(PrivilegedCommands.allows("false"));
        assertFalse(PrivilegedCommands.allows(""));
        assertFalse(PrivilegedCommands.allows(null));
        assertFalse(PrivilegedCommands.allows("yes"));
    }
}
