package io.midway.protocol.http.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the {@code http} protocol, PID {@value JdkHttpProtocol#PID}. */
@ObjectClassDefinition(name = "Midway HTTP protocol",
        description = "The HTTP/1.1 and HTTPS client used by HTTP probes (such as HTTPRequest).")
public @interface HttpProtocolConfiguration {

    /** @return the trust store file, or empty for the JDK's authorities */
    @AttributeDefinition(name = "Trust store",
            description = "PEM file of trusted certificates (one or more -----BEGIN CERTIFICATE----- blocks) or a PKCS12 "
                    + "trust store. HTTPS servers must present a certificate that chains to one of them. "
                    + "Empty: the JDK's default certificate authorities.")
    String truststore_path() default "";

    /** @return the PKCS12 trust store's password */
    @AttributeDefinition(name = "Trust store password", type = AttributeType.PASSWORD,
            description = "Password of a PKCS12 trust store (a PEM file needs none). May be an encrypted: value "
                    + "made with mid:encrypt on this agent.")
    String truststore_password() default "";

    /** @return how long establishing a connection may take */
    @AttributeDefinition(name = "Connect timeout (ms)", min = "1", max = "300000",
            description = "How long opening a TCP connection (and the TLS handshake) may take, in milliseconds.")
    int connect_timeout_ms() default 10000;
}
