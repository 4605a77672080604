package io.midway.protocol.ssh.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Configuration of the {@code ssh} protocol, PID {@value MinaSshProtocol#PID}. */
@ObjectClassDefinition(name = "Midway SSH protocol",
        description = "The SSH client used by SSH probes (such as SSHCommand): how server host keys are checked.")
public @interface SshProtocolConfiguration {

    /** @return the known_hosts file */
    @AttributeDefinition(name = "known_hosts file",
            description = "An OpenSSH known_hosts file with the host keys of the servers this agent trusts. A relative path is "
                    + "resolved against the agent's home folder (framework property midway.home). Other lines of the file are kept "
                    + "when a key is recorded.")
    String known__hosts_path() default "etc/known_hosts";

    /** @return how unknown and changed host keys are treated */
    @AttributeDefinition(name = "Host key policy",
            description = "strict: only hosts whose key is already in known_hosts. accept-new: record the key of a host seen for "
                    + "the first time, refuse a changed key (like OpenSSH StrictHostKeyChecking=accept-new). off: accept any key "
                    + "without checking (UNSAFE: anyone on the network path can read the password and the output).",
            options = {
                    @Option(label = "strict: only known hosts", value = "strict"),
                    @Option(label = "accept-new: record new hosts, refuse changed keys", value = "accept-new"),
                    @Option(label = "off: accept any host key (unsafe)", value = "off")})
    String host__key_policy() default "accept-new";
}
