package io.midway.instance.api;

/**
 * A setting's value for one agent and where it comes from.
 *
 * @param name the setting's name
 * @param value its value as text
 * @param source on the instance {@code parameter}, {@code agent_property} or {@code global_property};
 *     in an agent's report also {@code environment}, {@code file}, {@code console} or {@code default}
 */
public record ResolvedSetting(String name, String value, String source) {
}
