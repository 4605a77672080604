package io.midway.agent.internal.shell;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.midway.api.agent.MidAgent;
import io.midway.api.agent.SettingDTO;
import io.midway.console.support.shell.CommandUsage;

/**
 * {@code mid:config}: every agent setting as it is in effect, and where its value came from (the
 * environment, a file in {@code etc/}, the console, the default). Secrets show only whether they
 * are set.
 */
@Component(service = ConfigCommand.class, property = {
    "osgi.command.scope=mid",
    "osgi.command.function=config",
})
public class ConfigCommand {

    private final MidAgent agent;

    /**
     * @param agent the running agent
     */
    @Activate
    public ConfigCommand(@Reference(name = "agent") MidAgent agent) {
        this.agent = agent;
    }

    /** @return the settings as a table */
    @Descriptor("show every agent setting in effect, with where it came from (environment, etc/ file, console, default)")
    public String config() {
        return table(agent.configuration());
    }

    /**
     * @param wrong the arguments given
     * @return the usage
     */
    @Descriptor("wrong arguments: prints the usage")
    public String config(String... wrong) {
        return CommandUsage.of(this, "mid", "config", wrong);
    }

    /**
     * @param settings the settings
     * @return them as an aligned table, with a note on what the environment overrides
     */
    static String table(SettingDTO[] settings) {
        int width = 22;
        for (SettingDTO s : settings) {
            width = Math.max(width, s.key.length());
        }
        String format = "%-" + width + "s  %-40s  %s%n";
        StringBuilder out = new StringBuilder(String.format(format, "setting", "value", "source"));
        boolean overrides = false;
        for (SettingDTO s : settings) {
            String source = source(s);
            if (s.overridden != null && fromInstance(s)) {
                source += " (over " + s.overridden + " in the etc/ file)";
            } else if (s.overridden != null) {
                overrides = true;
                source += " (overrides " + s.overridden + " in the configuration)";
            }
            out.append(String.format(format, s.key, s.value == null ? "-" : s.value, source));
        }
        if (overrides) {
            out.append("Settings from the environment win over etc/io.midway.agent.cfg and the Web Console's "
                    + "Configuration page: changing them there has no effect while the variable is set.")
                    .append(System.lineSeparator());
        }
        return out.toString();
    }

    private static boolean fromInstance(SettingDTO s) {
        return SettingDTO.SOURCE_PARAMETER.equals(s.source) || SettingDTO.SOURCE_AGENT_PROPERTY.equals(s.source)
                || SettingDTO.SOURCE_GLOBAL_PROPERTY.equals(s.source);
    }

    /**
     * @param s a setting
     * @return e.g. {@code environment MIDWAY_INSTANCE_URL}, {@code file etc/io.midway.agent.cfg}, {@code default}
     */
    static String source(SettingDTO s) {
        String source = s.source == null ? SettingDTO.SOURCE_DEFAULT : s.source;
        return s.origin == null ? source : source + " " + s.origin;
    }
}
