package io.midway.instance.shell.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code instance:user-add NAME AGENT}, {@code instance:user-disable NAME},
 * {@code instance:user-enable NAME}, {@code instance:user-delete NAME}. Gogo finds a command's
 * method by its name, which cannot hold a dash in Java; it calls {@code _main} with the command
 * name first instead, so these share one {@code _main} that answers the usage for wrong arguments.
 */
@Component(service = UserChangeCommand.class, property = {
    "osgi.command.scope=instance",
    "osgi.command.function=user-add",
    "osgi.command.function=user-disable",
    "osgi.command.function=user-enable",
    "osgi.command.function=user-delete",
})
public class UserChangeCommand {

    /** Each function: its arguments and what it does. */
    static final Map<String, String[]> FORMS = new LinkedHashMap<>();

    static {
        FORMS.put("user-add", new String[] {"<user name> <agent>", "make an identity (role mid_server) for an agent; "
            + "its password is generated and printed once (a password typed here would stay in the shell history)"});
        FORMS.put("user-disable", new String[] {"<user name>", "disable an identity: it can no longer log in"});
        FORMS.put("user-enable", new String[] {"<user name>", "enable a disabled identity again"});
        FORMS.put("user-delete", new String[] {"<user name>", "delete an identity; its agent may then enroll again"});
    }

    private final UserCommands commands;

    /** @param commands what the user commands do */
    @Activate
    public UserChangeCommand(@Reference(name = "commands") UserCommands commands) {
        this.commands = commands;
    }

    /**
     * @param argv the command name, then its arguments
     * @return the outcome, or the usage
     */
    @Descriptor("instance:user-add <user name> <agent> | instance:user-disable|user-enable|user-delete <user name>")
    public String _main(String[] argv) {
        String function = argv == null || argv.length == 0 ? "" : argv[0].substring(argv[0].indexOf(':') + 1);
        int given = argv == null ? 0 : argv.length - 1;
        boolean help = given > 0 && ("--help".equals(argv[1]) || "-h".equals(argv[1]));
        switch (function) {
            case "user-add" -> {
                if (given == 2 && !help) {
                    return commands.add(argv[1], argv[2]);
                }
            }
            case "user-disable", "user-enable" -> {
                if (given == 1 && !help) {
                    return commands.setActive(argv[1], "user-enable".equals(function));
                }
            }
            case "user-delete" -> {
                if (given == 1 && !help) {
                    return commands.delete(argv[1]);
                }
            }
            default -> {
                // not one of ours: the usage of all
            }
        }
        return usage(function, argv, help);
    }

    private static String usage(String function, String[] argv, boolean help) {
        StringBuilder out = new StringBuilder();
        if (!help) {
            out.append("instance:").append(function.isEmpty() ? "user" : function).append(": wrong arguments");
            if (argv != null && argv.length > 1) {
                out.append(" '").append(String.join(" ", java.util.Arrays.copyOfRange(argv, 1, argv.length)))
                        .append('\'');
            }
            out.append('\n');
        }
        out.append("usage:\n");
        for (Map.Entry<String, String[]> form : FORMS.entrySet()) {
            if (FORMS.containsKey(function) && !form.getKey().equals(function)) {
                continue;
            }
            out.append(String.format("  %-36s %s%n", "instance:" + form.getKey() + " " + form.getValue()[0],
                    form.getValue()[1]));
        }
        return out.toString().stripTrailing();
    }
}
