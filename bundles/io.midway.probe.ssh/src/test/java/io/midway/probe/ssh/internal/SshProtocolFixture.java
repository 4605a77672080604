package io.midway.probe.ssh.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;

import org.osgi.framework.BundleContext;

import io.midway.protocol.ssh.internal.MinaSshProtocol;
import io.midway.protocol.ssh.internal.SshProtocolConfiguration;
import io.midway.testing.servers.OpenSshServer;

/**
 * What the SSH probe tests against a real OpenSSH server share: the real ssh protocol, set up as
 * in the agent (known hosts in {@code etc/known_hosts} under {@code midway.home}, a new host key
 * accepted), its end, and the server's.
 */
final class SshProtocolFixture {

    private SshProtocolFixture() {
    }

    /**
     * @param home the {@code midway.home} the protocol sees
     * @return the protocol, active
     */
    static MinaSshProtocol protocol(Path home) {
        BundleContext context = (BundleContext) Proxy.newProxyInstance(SshProtocolFixture.class.getClassLoader(),
                new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> method.getName().equals("getProperty") && "midway.home".equals(args[0])
                        ? home.toString() : null);
        return new MinaSshProtocol(new SshProtocolConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SshProtocolConfiguration.class;
            }

            @Override
            public String known__hosts_path() {
                return "etc/known_hosts";
            }

            @Override
            public String host__key_policy() {
                return "accept-new";
            }
        }, context);
    }

    /** Ends the protocol as Declarative Services would (its package-private deactivate). */
    static void deactivate(MinaSshProtocol protocol) throws Exception {
        Method deactivate = MinaSshProtocol.class.getDeclaredMethod("deactivate");
        deactivate.setAccessible(true);
        deactivate.invoke(protocol);
    }

    /** Stops the server, if it was started. */
    static void close(OpenSshServer server) {
        if (server != null) {
            server.close();
        }
    }
}
