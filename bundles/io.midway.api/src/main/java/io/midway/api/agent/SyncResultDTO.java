package io.midway.api.agent;

import org.osgi.dto.DTO;

/** The outcome of applying one file-sync snapshot. @since 1.1 */
public class SyncResultDTO extends DTO {

    /** The snapshot revision. */
    public String revision;
    /** {@code applied} when every file is as the snapshot says, else {@code failed}. */
    public String state;
    /** One entry per file looked at; files already as the snapshot says are not listed. */
    public SyncFileResultDTO[] files;
}
