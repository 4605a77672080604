package io.midway.instance.api;

/**
 * One instance node on the database, as it wrote itself into {@code instance_node}.
 *
 * @param id the node's id, made at its start
 * @param host the host it runs on
 * @param pid its process id there
 * @param version the instance version it runs
 * @param startedMs when it started, epoch milliseconds (its clock)
 * @param lastSeenMs when it last wrote its row, epoch milliseconds (its clock)
 * @param holdsJobs whether it held the singleton jobs when it last wrote its row
 */
public record NodeRow(String id, String host, long pid, String version, long startedMs, long lastSeenMs,
        boolean holdsJobs) {
}
