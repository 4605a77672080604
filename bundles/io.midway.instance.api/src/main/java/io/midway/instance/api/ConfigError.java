package io.midway.instance.api;

/**
 * A central value an agent refused.
 *
 * @param name the setting
 * @param value the refused value
 * @param message the rule it breaks, as the agent says it
 */
public record ConfigError(String name, String value, String message) {
}
