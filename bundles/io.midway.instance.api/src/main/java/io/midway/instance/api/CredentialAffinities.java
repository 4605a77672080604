package io.midway.instance.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Which credential worked for which target, as the agents report it. */
@ProviderType
public interface CredentialAffinities {

    /**
     * @param sysId a sys_id
     * @return the 404 for a record that is not there
     */
    static InstanceException notFound(String sysId) {
        return new InstanceException(InstanceException.Reason.NOT_FOUND, "No Record found",
                "no dscy_credentials_affinity record with sys_id " + sysId);
    }


    /**
     * What a report changed.
     *
     * @param agent the agent
     * @param stored the rows the agent has now
     * @param dropped the entries dropped because their credential does not exist (any more)
     * @param inserted rows added
     * @param changed rows whose credential changed
     * @param removed rows removed (no longer in the agent's set)
     */
    record Outcome(String agent, int stored, int dropped, int inserted, int changed, int removed) {

        /** @return the answer to the agent */
        public ObjectNode toJson() {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            node.put("agent", agent);
            node.put("stored", stored);
            node.put("dropped", dropped);
            return node;
        }
    }

    /**
     * Replaces an agent's rows by the set it reports. Rows whose credential is unchanged are kept
     * as they are (same sys_id and time); entries naming an unknown credential are dropped
     * silently (it was deleted meanwhile). Of two entries for the same type and target the last
     * counts.
     *
     * @param body {@code {"agent":"NAME","affinity":[{"credential","type","target"}…]}}
     * @return what changed
     * @throws InstanceException 400 for a malformed body, 404 for an unknown agent
     */
    Outcome replace(JsonNode body);

    /**
     * @param query a query on {@link TableSchema#DSCY_CREDENTIALS_AFFINITY}
     * @return the matching rows as the Table API shows them, reduced to the query's fields
     */
    List<ObjectNode> list(TableQuery query);

    /**
     * @param sysId a sys_id
     * @return the row as the Table API shows it
     */
    Optional<ObjectNode> get(String sysId);

    /**
     * Forgets one row; the agent reports it again with its next changed set.
     *
     * @param sysId the row's sys_id
     * @throws InstanceException 404 for an unknown sys_id
     */
    void delete(String sysId);
}
