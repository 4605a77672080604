package io.midway.instance.api;

/**
 * What the instance tells agents about itself: its version and the agent core it offers (the
 * public {@code GET /api/mid/instance_info} sends it as the wire record
 * {@code io.midway.wire.InstanceInfo}).
 *
 * @param version the instance version, which agents follow
 * @param core the agent core the instance offers, or {@code null} when it offers none
 */
public record InstanceDescription(
        String version,
        Core core) {

    /**
     * The agent core jar an instance offers.
     *
     * @param symbolicName its Bundle-SymbolicName
     * @param version its Bundle-Version
     * @param sha256 hex SHA-256 of the jar
     * @param size size in bytes
     */
    public record Core(
            String symbolicName,
            String version,
            String sha256,
            long size) {
    }
}
