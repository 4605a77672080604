package io.midway.instance.internal;

import io.midway.instance.api.CredentialAffinities;
import io.midway.instance.api.JsonBody;
import io.midway.instance.api.InstanceException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.store.StoreSession;
import io.midway.instance.store.StoredAffinity;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.wire.Json;

/**
 * Credential affinity ({@code dscy_credentials_affinity}): which credential worked for which
 * target on which agent. The agents keep it and report their whole current set
 * ({@link #replace}); admins read it and may forget a row (the agent reports it again the next
 * time its set changes, or after a restart). A credential's rows go with it when it is deleted
 * ({@link CredentialService#delete}). Holds no secret: only sys_ids, types, targets and names.
 * It is part of the credential store: it runs only while the {@link CredentialService} runs.
 */
@Component(service = {CredentialAffinities.class})
public class CredentialAffinityService implements CredentialAffinities {

    /** The most entries one report may hold. */
    public static final int MAX_ENTRIES = 10000;
    /** The longest credential type (the column's size). */
    static final int MAX_TYPE_LENGTH = 40;
    /** The longest target (the column's size; a host name has at most 253 characters). */
    static final int MAX_TARGET_LENGTH = 300;
    /** The longest credential sys_id kept; a longer one names no credential. */
    private static final int SYS_ID_LENGTH = 32;

    private static final Logger LOG = LoggerFactory.getLogger(CredentialAffinityService.class);

    private final InstanceCore service;

    /**
     * @param service the instance, which holds the database
     * @param credentials the credential store, which must be running (its table is the one rows name)
     */
    @Activate
    public CredentialAffinityService(@Reference InstanceCore service, @Reference CredentialService credentials) {
        this(service);
    }

    /** @param service the instance, which holds the database */
    public CredentialAffinityService(InstanceCore service) {
        this.service = service;
    }


    /** One entry of a report. */
    private record Entry(String credential, String type, String target) {
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
    public Outcome replace(JsonNode body) {
        ObjectNode object = JsonBody.object(body);
        String agent = JsonBody.requiredText(object, "agent").trim();
        JsonNode list = object.get("affinity");
        if (list == null || list.isNull()) {
            throw InstanceException.invalid("field 'affinity' is required",
                    "the agent's whole current set: [{\"credential\",\"type\",\"target\"}…], [] for none");
        }
        if (!list.isArray()) {
            throw InstanceException.invalid("field 'affinity' must be a list", "got " + JsonBody.describe(list));
        }
        if (list.size() > MAX_ENTRIES) {
            throw InstanceException.invalid("too many affinity entries: " + list.size(),
                    "at most " + MAX_ENTRIES);
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            Entry entry = entry(list.get(i), i);
            entries.put(key(entry.type(), entry.target()), entry);
        }
        Outcome outcome = service.changeCredentials(tx -> {
            StoreSession s = tx.session();
            if (s.findAgentByName(agent).isEmpty()) {
                throw new InstanceException(InstanceException.Reason.NOT_FOUND, "agent " + agent + " is not registered",
                        "register with POST /api/mid/agents/register first");
            }
            List<String> named = new ArrayList<>();
            for (Entry e : entries.values()) {
                if (e.credential().length() <= SYS_ID_LENGTH) {
                    named.add(e.credential());
                }
            }
            Set<String> known = s.existingCredentials(named);
            Map<String, StoredAffinity> old = new HashMap<>();
            for (StoredAffinity row : s.affinityOf(agent)) {
                old.put(key(row.type(), row.target()), row);
            }
            long now = tx.now().toEpochMilli();
            int stored = 0;
            int dropped = 0;
            int inserted = 0;
            int changed = 0;
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                Entry entry = e.getValue();
                if (!known.contains(entry.credential())) {
                    dropped++;
                    continue;
                }
                stored++;
                StoredAffinity row = old.remove(e.getKey());
                if (row == null) {
                    s.insertAffinity(new StoredAffinity(AgentRecords.newSysId(), agent, entry.credential(), null,
                            entry.type(), entry.target(), now));
                    inserted++;
                } else if (!row.credential().equals(entry.credential())) {
                    s.updateAffinityCredential(row.sysId(), entry.credential(), now);
                    changed++;
                }
            }
            for (StoredAffinity gone : old.values()) {
                s.deleteAffinity(gone.sysId());
            }
            return new Outcome(agent, stored, dropped, inserted, changed, old.size());
        });
        if (outcome.inserted() + outcome.changed() + outcome.removed() > 0 || outcome.dropped() > 0) {
            LOG.info("Credential affinity of agent {}: {} entries ({} new, {} changed, {} removed, {} dropped for a "
                    + "credential that does not exist)", agent, outcome.stored(), outcome.inserted(),
                    outcome.changed(), outcome.removed(), outcome.dropped());
        } else {
            LOG.debug("Credential affinity of agent {} unchanged: {} entries", agent, outcome.stored());
        }
        return outcome;
    }

    private static Entry entry(JsonNode node, int index) {
        String where = "affinity[" + index + "]";
        if (node == null || !node.isObject()) {
            throw InstanceException.invalid(where + " must be an object",
                    "got " + (node == null ? "nothing" : JsonBody.describe(node)));
        }
        ObjectNode object = (ObjectNode) node;
        String credential = field(object, "credential", where, MAX_TARGET_LENGTH);
        String type = field(object, "type", where, MAX_TYPE_LENGTH);
        String target = field(object, "target", where, MAX_TARGET_LENGTH);
        return new Entry(credential, type, target);
    }

    private static String field(ObjectNode object, String name, String where, int maxLength) {
        JsonNode value = object.get(name);
        if (value == null || value.isNull()) {
            throw InstanceException.invalid(where + ": field '" + name + "' is required");
        }
        if (!value.isTextual()) {
            throw InstanceException.invalid(where + ": field '" + name + "' must be a string",
                    "got " + JsonBody.describe(value));
        }
        String text = value.textValue().trim();
        if (text.isEmpty()) {
            throw InstanceException.invalid(where + ": field '" + name + "' must not be empty");
        }
        if (text.length() > maxLength) {
            throw InstanceException.invalid(where + ": field '" + name + "' is too long",
                    "at most " + maxLength + " characters");
        }
        return text;
    }

    private static String key(String type, String target) {
        return type + '\u0000' + target;
    }

    // --- Table API ---------------------------------------------------------------------------

    /**
     * @param query a query on {@link TableSchema#DSCY_CREDENTIALS_AFFINITY}
     * @return the matching rows as the Table API shows them, reduced to the query's fields
     */
    public List<ObjectNode> list(TableQuery query) {
        if (query.table() != TableSchema.DSCY_CREDENTIALS_AFFINITY) {
            throw new IllegalArgumentException("query on " + query.table());
        }
        List<ObjectNode> rows = new ArrayList<>();
        for (StoredAffinity row : service.read(s -> s.queryAffinity(query))) {
            rows.add(query.project(view(row)));
        }
        return rows;
    }

    /**
     * @param sysId a sys_id
     * @return the row as the Table API shows it
     */
    public Optional<ObjectNode> get(String sysId) {
        return service.read(s -> s.findAffinity(sysId)).map(CredentialAffinityService::view);
    }

    /**
     * Forgets one row; the agent reports it again with its next changed set.
     *
     * @param sysId the row's sys_id
     * @throws InstanceException 404 for an unknown sys_id
     */
    public void delete(String sysId) {
        StoredAffinity row = service.changeCredentials(tx -> {
            StoreSession s = tx.session();
            StoredAffinity found = s.findAffinity(sysId).orElseThrow(() -> notFound(sysId));
            s.deleteAffinity(sysId);
            return found;
        });
        LOG.info("Credential affinity {} forgotten: agent {}, {} target {}, credential {}", sysId, row.agent(),
                row.type(), row.target(), row.credential());
    }

    /**
     * @param sysId a sys_id
     * @return the 404 for it
     */
    public static InstanceException notFound(String sysId) {
        return CredentialAffinities.notFound(sysId);
    }

    /**
     * @param row a stored row
     * @return it as the Table API shows it
     */
    static ObjectNode view(StoredAffinity row) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("sys_id", row.sysId());
        node.put("agent", row.agent());
        node.put("credential", row.credential());
        node.put("credential_name", row.credentialName() == null ? "" : row.credentialName());
        node.put("type", row.type());
        node.put("target", row.target());
        node.put("sys_updated_on", Json.time(Instant.ofEpochMilli(row.updatedMs())));
        return node;
    }
}
