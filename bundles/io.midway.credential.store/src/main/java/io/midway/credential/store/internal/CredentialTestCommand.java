package io.midway.credential.store.internal;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code mid:credential-test <id|name> <target>} Gogo command. Gogo finds a command's method
 * by its name, which cannot hold a dash in Java; it calls {@code _main} with the command name
 * first instead, so this command has a class of its own.
 */
@Component(service = CredentialTestCommand.class, property = {
    "osgi.command.scope=mid",
    "osgi.command.function=credential-test",
})
public class CredentialTestCommand {

    static final String USAGE = "mid:credential-test <id|name> <target> - opens every field of a credential, "
            + "secrets included, without showing any secret, and says which are set, e.g. \"credential 'lab' "
            + "(basic) opens: user_name=scott, password set\", or why it does not open (an altered secret, a "
            + "missing external resolver). An external resolver is asked for the target given. It does not log "
            + "in to the target yet: a protocol-level test comes with issue 7.";

    private final CredentialCommands commands;

    /** @param commands the credential commands, which hold the store */
    @Activate
    public CredentialTestCommand(@Reference(name = "commands") CredentialCommands commands) {
        this.commands = commands;
    }

    /**
     * @param argv the command name, then the credential and the target
     * @return the outcome, or the usage
     */
    @Descriptor(USAGE)
    public String _main(String[] argv) {
        if (argv == null || argv.length != 3 || "--help".equals(argv[1]) || "-h".equals(argv[1])) {
            return "Usage: " + USAGE;
        }
        return commands.test(argv[1], argv[2]);
    }
}
