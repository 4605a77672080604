package io.midway.agent.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** This host's name and address, as the agent reports them when it registers. */
public final class HostIdentity {

    private HostIdentity() {
    }

    /** @return the host name, or {@code localhost} when it cannot be found */
    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** @return the host's address, or {@code 127.0.0.1} when it cannot be found */
    public static String ipAddress() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }
}
