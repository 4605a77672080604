package io.midway.api.agent;

import org.osgi.dto.DTO;

/** What file sync did with one bundle. @since 1.1 */
public class SyncFileResultDTO extends DTO {

    /** The bundle's symbolic name. */
    public String symbolicName;
    /** The version the snapshot asked for (or the version removed). */
    public String version;
    /** {@code install}, {@code update}, {@code uninstall} or {@code skip}. */
    public String action;
    /** {@code ok}, {@code failed} (what ran before runs again) or {@code skipped}. */
    public String outcome;
    /** Why it failed or was skipped; {@code null} when ok. */
    public String message;
}
