package io.midway.agent.internal.shell;

import io.midway.api.agent.SettingDTO;

/** Lets tests in other packages render mid:config's table. */
public final class ConfigCommandAccess {

    private ConfigCommandAccess() {
    }

    /**
     * @param settings settings
     * @return what mid:config prints for them
     */
    public static String table(SettingDTO[] settings) {
        return ConfigCommand.table(settings);
    }
}
