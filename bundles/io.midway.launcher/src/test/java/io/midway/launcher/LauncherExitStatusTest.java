package io.midway.launcher;

import static org.junit.Assert.assertEquals;

import org.junit.After;
import org.junit.Test;

/** The exit status the agent core leaves for the launcher when it stops the framework on command. */
public class LauncherExitStatusTest {

    @After
    public void clear() {
        System.clearProperty(Launcher.EXIT_STATUS_PROPERTY);
    }

    @Test
    public void aPlainStopExitsZero() {
        System.clearProperty(Launcher.EXIT_STATUS_PROPERTY);
        assertEquals(0, Launcher.exitStatus());
    }

    @Test
    public void aProcessRestartExits75AndAStopZero() {
        System.setProperty(Launcher.EXIT_STATUS_PROPERTY, "75");
        assertEquals(75, Launcher.exitStatus());
        System.setProperty(Launcher.EXIT_STATUS_PROPERTY, "0");
        assertEquals(0, Launcher.exitStatus());
    }

    @Test
    public void aBrokenValueIsAFailureNotASuccess() {
        System.setProperty(Launcher.EXIT_STATUS_PROPERTY, "seventy-five");
        assertEquals(1, Launcher.exitStatus());
        System.setProperty(Launcher.EXIT_STATUS_PROPERTY, "300");
        assertEquals(1, Launcher.exitStatus());
    }
}
