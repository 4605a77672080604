package io.midway.api.agent;

import org.osgi.dto.DTO;

/** One plug-in bundle of the agent and where it came from. @since 1.1 */
public class PluginBundleDTO extends DTO {

    /** Came from the instance's file sync. */
    public static final String ORIGIN_SYNC = "sync";
    /** Dropped into the agent's {@code deploy/} folder. */
    public static final String ORIGIN_DEPLOY = "deploy";
    /** Shipped with the distribution ({@code system/agent}). */
    public static final String ORIGIN_DISTRIBUTION = "distribution";

    /** Bundle id in the framework. */
    public long id;
    /** Bundle-SymbolicName. */
    public String symbolicName;
    /** Bundle-Version. */
    public String version;
    /** {@code sync}, {@code deploy} or {@code distribution}. */
    public String origin;
    /** {@code probe}, {@code protocol}, {@code credential}, {@code library}, or {@code null} when unknown. */
    public String kind;
    /** Hex SHA-256 of the jar it was installed from, or {@code null} when unknown. */
    public String sha256;
    /** {@code ACTIVE}, {@code RESOLVED}, {@code INSTALLED}, {@code STARTING} or {@code STOPPING}. */
    public String state;
    /** Probe topics and protocol names it registers. */
    public String[] provides;
}
