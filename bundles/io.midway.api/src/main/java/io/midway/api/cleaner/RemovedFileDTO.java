package io.midway.api.cleaner;

import org.osgi.dto.DTO;

/** A file the File Cleaner removed. */
public class RemovedFileDTO extends DTO {

    /** Its path relative to the data folder. */
    public String path;
    /** Its size in bytes. */
    public long size;
    /** The rule that found it unused: {@code log}, {@code spool}, {@code jar-cache} or {@code core}. */
    public String rule;
}
