package io.midway.console.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Component property type for a Felix Web Console 5 plugin servlet: sets
 * {@code felix.webconsole.label}, {@code felix.webconsole.title} and
 * {@code felix.webconsole.category}.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface WebConsolePlugin {

    /** Prefix for the property names. */
    String PREFIX_ = "felix.webconsole.";

    /** @return the page's address below {@code /system/console/} */
    String label();

    /** @return the page title in the console's menu */
    String title();

    /** @return the console menu the page is listed under */
    String category();
}
