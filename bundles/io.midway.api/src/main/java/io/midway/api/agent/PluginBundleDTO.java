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
    /** Installed through the Web Console's Install dialog. @since 1.3 */
    public static final String ORIGIN_CONSOLE = "console";
    /** The state of a jar in {@code deploy/} that is not installed (see {@link #problem}). @since 1.3 */
    public static final String STATE_NOT_INSTALLED = "NOT_INSTALLED";

    /**
     * Bundle id in the framework; {@code -1} for a jar in {@code deploy/} that is not installed, or
     * for a bundle refused after an install from the console (its {@link #problem} says why).
     */
    public long id;
    /** Bundle-SymbolicName. */
    public String symbolicName;
    /** Bundle-Version. */
    public String version;
    /** {@code sync}, {@code deploy}, {@code distribution} or {@code console}. */
    public String origin;
    /** {@code probe}, {@code protocol}, {@code credential}, {@code library}, or {@code null} when unknown. */
    public String kind;
    /** Hex SHA-256 of the jar it was installed from, or {@code null} when unknown. */
    public String sha256;
    /**
     * {@code ACTIVE}, {@code RESOLVED}, {@code INSTALLED}, {@code STARTING}, {@code STOPPING}, or
     * {@link #STATE_NOT_INSTALLED}.
     */
    public String state;
    /** Probe topics and protocol names it registers. */
    public String[] provides;
    /** The file in {@code deploy/} it came from, or {@code null}. @since 1.3 */
    public String file;
    /**
     * Why it does not run (the resolver's or the activator's message, a file that is no bundle,
     * a jar of the same name and a higher version in {@code deploy/}), or {@code null}. @since 1.3
     */
    public String problem;
}
