package io.midway.api.agent;

import org.osgi.dto.DTO;

/** A snapshot of the agent's state. Never holds a secret. */
public class AgentStatusDTO extends DTO {

    /** The agent's name, as the instance knows it. */
    public String name;
    /** Version of the agent core. */
    public String version;
    /** Base URL of the instance. */
    public String instanceUrl;
    /**
     * The connection to the instance: {@code registering}, {@code connected}, {@code unreachable}
     * or {@code stopped}.
     */
    public String connection;
    /** The status the instance holds for this agent ({@code Up}, {@code Paused} …), or {@code null}. */
    public String status;
    /** Whether the instance has validated this agent. */
    public boolean validated;
    /** When the agent last heard from the instance, ISO-8601, or {@code null}. */
    public String lastContact;
    /** The last connection or delivery error, for the operator, or {@code null}. */
    public String lastError;
    /** Topics of the installed probes, sorted. */
    public String[] probes;
    /** The worker pools. */
    public PoolDTO[] pools;
    /** Results written to disk and not yet accepted by the instance. */
    public int spooled;
    /** Work items finished in state {@code processed} since start. */
    public long processed;
    /** Work items finished in state {@code error} since start. */
    public long failed;
    /** The file-sync revision last applied, or {@code null} before the first sync. @since 1.1 */
    public String syncRevision;
    /** {@code applied}, {@code failed}, {@code syncing}, or {@code null} before the first sync. @since 1.1 */
    public String syncState;
    /** The capabilities advertised to the instance (names of the installed protocols). @since 1.1 */
    public String[] capabilities;
    /** The agent's own deploy folder (absolute), or {@code null} when it has none. @since 1.3 */
    public String deployDir;
    /**
     * The outcome of the last file sync since this start, per file with its message, or
     * {@code null} when none ran since the start. @since 1.3
     */
    public SyncResultDTO lastSync;
}
