package io.midway.instance.shell.internal;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.midway.console.support.shell.CommandUsage;

/** {@code instance:users}: the sys_user identities. */
@Component(service = UsersCommand.class, property = {
    "osgi.command.scope=instance",
    "osgi.command.function=users",
})
public class UsersCommand {

    private final UserCommands commands;

    /** @param commands what the user commands do */
    @Activate
    public UsersCommand(@Reference(name = "commands") UserCommands commands) {
        this.commands = commands;
    }

    /** @return the identities */
    @Descriptor("list the sys_user identities: user name, agent, roles, active, source, created (never a password)")
    public String users() {
        return commands.list();
    }

    /**
     * @param wrong the arguments given
     * @return the usage
     */
    @Descriptor("wrong arguments: prints the usage")
    public String users(String... wrong) {
        return CommandUsage.of(this, "instance", "users", wrong);
    }
}
