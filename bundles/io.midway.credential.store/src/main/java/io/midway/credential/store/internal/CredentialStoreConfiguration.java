package io.midway.credential.store.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the credential store, pid {@value #PID}. */
@ObjectClassDefinition(
        name = "Midway credential store",
        description = "Where the agent keeps its key pair and the credentials the instance pushes to it.")
public @interface CredentialStoreConfiguration {

    /** The configuration pid. */
    String PID = "io.midway.credential.store";

    @AttributeDefinition(name = "Credentials directory",
            description = "Holds agent.key, agent.pub, credentials.json and affinity.json; empty means "
                    + "<midway.data>/credentials, a relative path is resolved against midway.data.")
    String credentials_dir() default "";
}
