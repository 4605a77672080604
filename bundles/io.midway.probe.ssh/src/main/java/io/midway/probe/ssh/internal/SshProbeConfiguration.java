package io.midway.probe.ssh.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the SSHCommand probe, PID {@value SshCommandProbe#PID}. */
@ObjectClassDefinition(name = "Midway SSHCommand probe",
        description = "The SSHCommand probe: which commands it may run with sudo (privileged commands). Central setting "
                + PrivilegedCommands.SETTING + ".")
public @interface SshProbeConfiguration {

    /** @return the privileged commands, comma-separated */
    @AttributeDefinition(name = "Privileged commands",
            description = "Command names (or absolute paths), comma-separated, e.g. id,dmidecode,lsof. A command whose program is "
                    + "listed runs as 'sudo -n -- <command>' when its credential allows sudo (sudo=true); nothing else ever runs "
                    + "with sudo. Empty (the default): nothing runs with sudo. Central setting " + PrivilegedCommands.SETTING + ".")
    String privileged_commands() default "";
}
