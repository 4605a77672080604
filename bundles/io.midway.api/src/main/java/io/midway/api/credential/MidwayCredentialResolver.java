package io.midway.api.credential;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Component property type that sets {@value CredentialResolver#NAME_PROPERTY} on a credential
 * resolver component (as a single-element annotation named {@code MidwayCredentialResolver}, its
 * property is {@code midway.credential.resolver}).
 *
 * <pre>
 * &#64;Component
 * &#64;MidwayCredentialResolver("vault")
 * public class VaultResolver implements CredentialResolver { ... }
 * </pre>
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface MidwayCredentialResolver {

    /**
     * The resolver's name, as credentials on the instance name it, e.g. {@code vault}.
     *
     * @return the name
     */
    String value();
}
