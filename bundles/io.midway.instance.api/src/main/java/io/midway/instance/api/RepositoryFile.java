package io.midway.instance.api;

/**
 * One file (an OSGi bundle) of the instance's file-sync repository (the wire record
 * {@code io.midway.wire.SyncFile}).
 *
 * @param name the file name it was uploaded as, e.g. {@code io.midway.probe.echo-1.0.0.jar}
 * @param kind {@code probe}, {@code protocol}, {@code credential} or {@code library}
 * @param symbolicName its Bundle-SymbolicName (the key: one file per symbolic name)
 * @param version its Bundle-Version
 * @param sha256 hex SHA-256 of the bytes, lower case
 * @param size size in bytes
 */
public record RepositoryFile(
        String name,
        String kind,
        String symbolicName,
        String version,
        String sha256,
        long size) {

    /** Kind of a probe plug-in. */
    public static final String KIND_PROBE = "probe";
    /** Kind of a protocol plug-in. */
    public static final String KIND_PROTOCOL = "protocol";
    /** Kind of a credential plug-in. */
    public static final String KIND_CREDENTIAL = "credential";
    /** Kind of a third-party library bundle that plug-ins use. */
    public static final String KIND_LIBRARY = "library";
}
