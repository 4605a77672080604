package io.midway.api.agent;

import org.osgi.dto.DTO;

/**
 * One setting of the agent as it is in effect, and where its value came from. A secret is never
 * carried: its value is {@code set} or {@code not set}. @since 1.3
 */
public class SettingDTO extends DTO {

    /** The value came from an environment variable (named in {@link #origin}). */
    public static final String SOURCE_ENVIRONMENT = "environment";
    /** The value came from a framework property set by other means than the environment. */
    public static final String SOURCE_FRAMEWORK = "framework";
    /** The value came from a configuration file in {@code etc/} (named in {@link #origin}). */
    public static final String SOURCE_FILE = "file";
    /** The value was set through Config Admin, e.g. on the Web Console's Configuration page. */
    public static final String SOURCE_CONSOLE = "console";
    /** The value came from the instance: a configuration parameter for this agent. @since 1.4 */
    public static final String SOURCE_PARAMETER = "parameter";
    /** The value came from the instance: a property for this agent. @since 1.4 */
    public static final String SOURCE_AGENT_PROPERTY = "agent_property";
    /** The value came from the instance: a property for all agents. @since 1.4 */
    public static final String SOURCE_GLOBAL_PROPERTY = "global_property";
    /** Nothing sets it: the built-in default applies. */
    public static final String SOURCE_DEFAULT = "default";

    /** The property name in the configuration (pid {@code io.midway.agent}), e.g. {@code instance.url}. */
    public String key;
    /** A label for people, e.g. {@code Instance URL}. */
    public String label;
    /** The value in effect; for a secret {@code set} or {@code not set}. */
    public String value;
    /**
     * {@code environment}, {@code framework}, {@code parameter}, {@code agent_property},
     * {@code global_property} (from the instance), {@code file}, {@code console} or {@code default}.
     */
    public String source;
    /**
     * Where exactly: the environment variable ({@code MIDWAY_INSTANCE_URL}), the framework
     * property, the file ({@code etc/io.midway.agent.cfg}); {@code null} for a default.
     */
    public String origin;
    /**
     * The value the configuration holds but which has no effect because the environment wins over
     * it (for a secret {@code set}), or {@code null} when nothing is overridden.
     */
    public String overridden;
    /** Whether the value is a secret (shown as {@code set}/{@code not set} only). */
    public boolean secret;
}
