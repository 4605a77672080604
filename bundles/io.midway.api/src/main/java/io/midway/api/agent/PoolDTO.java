package io.midway.api.agent;

import org.osgi.dto.DTO;

/** One worker pool of the agent. */
public class PoolDTO extends DTO {

    /** {@code interactive}, {@code expedited} or {@code standard}. */
    public String name;
    /** Maximum threads. */
    public int threads;
    /** Work items running now. */
    public int active;
    /** Work items waiting for a thread. */
    public int queued;
    /** Work items finished since start. */
    public long completed;
}
