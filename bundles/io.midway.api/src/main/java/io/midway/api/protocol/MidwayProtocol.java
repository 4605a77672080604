package io.midway.api.protocol;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Component property type that sets {@value Protocol#NAME_PROPERTY} on a protocol component (as a
 * single-element annotation named {@code MidwayProtocol}, its property is {@code midway.protocol}).
 *
 * <pre>
 * &#64;Component
 * &#64;MidwayProtocol("snmp")
 * public class SnmpProtocol implements Protocol { ... }
 * </pre>
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface MidwayProtocol {

    /**
     * The protocol's name, e.g. {@code snmp}.
     *
     * @return the name
     */
    String value();
}
