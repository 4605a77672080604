package io.midway.instance.api;


import org.osgi.annotation.versioning.ProviderType;

/** What the instance is: its version, the agent core of that version, and where its data lives. */
@ProviderType
public interface InstanceStatus {

    /**
     * @return the instance version, which agents follow: the version of the agent core uploaded
     *     last, or before any upload {@code midway.version}
     */
    String instanceVersion();

    /** @return the reply of {@code instance_info}: the instance version and the core of that version, if stored */
    InstanceDescription instanceInfo();

    /** @return where the data is, for operators: the embedded database's folder, or the server's URL */
    String databaseLocation();

    /** @return the database engine: {@code h2} or {@code postgresql} */
    String databaseEngine();
}
