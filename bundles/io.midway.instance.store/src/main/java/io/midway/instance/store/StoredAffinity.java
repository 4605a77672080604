package io.midway.instance.store;

/**
 * One row of credential affinity: on this agent, this credential worked for this target.
 *
 * @param sysId its sys_id
 * @param agent the agent's name
 * @param credential the sys_id of the {@code discovery_credentials} record
 * @param credentialName that credential's name, read with the row ({@code null} when written)
 * @param type the credential type ({@code basic}, {@code ssh_key} …)
 * @param target the IP address or host name it worked for
 * @param updatedMs when the row was written or last changed, epoch milliseconds
 */
public record StoredAffinity(String sysId, String agent, String credential, String credentialName, String type,
        String target, long updatedMs) {
}
