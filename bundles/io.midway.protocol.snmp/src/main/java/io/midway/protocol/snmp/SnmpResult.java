package io.midway.protocol.snmp;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The answer of a {@link SnmpProtocol#get GET} or a {@link SnmpProtocol#walk walk}. */
@ProviderType
public final class SnmpResult {

    private final List<SnmpVarbind> varbinds;
    private final boolean truncated;

    /**
     * @param varbinds the varbinds, in order (copied)
     * @param truncated whether a walk stopped before the end of its subtree
     */
    public SnmpResult(List<SnmpVarbind> varbinds, boolean truncated) {
        this.varbinds = List.copyOf(varbinds);
        this.truncated = truncated;
    }

    /** @return the varbinds, in order; unmodifiable */
    public List<SnmpVarbind> varbinds() {
        return varbinds;
    }

    /** @return whether a walk stopped at its limit (varbinds or time) before the end of its subtree */
    public boolean truncated() {
        return truncated;
    }

    @Override
    public String toString() {
        return "SnmpResult[" + varbinds.size() + " varbind(s)" + (truncated ? ", truncated" : "") + "]";
    }
}
