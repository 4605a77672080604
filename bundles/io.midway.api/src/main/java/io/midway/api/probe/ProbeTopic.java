package io.midway.api.probe;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Component property type that sets {@value Probe#TOPIC_PROPERTY} on a probe component.
 *
 * <pre>
 * &#64;Component
 * &#64;ProbeTopic("TCPScan")
 * public class TcpScanProbe implements Probe { ... }
 * </pre>
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface ProbeTopic {

    /**
     * Prefix for the property name. As a single-element annotation named {@code ProbeTopic}, the
     * property name is {@code probe.topic}; with this prefix it is {@code midway.probe.topic}.
     */
    String PREFIX_ = "midway.";

    /**
     * The ECC topic handled, e.g. {@code TCPScan}.
     *
     * @return the topic
     */
    String value();
}
