package io.midway.instance.internal;

import io.midway.instance.api.Credentials;
import io.midway.instance.api.JsonBody;
import io.midway.instance.api.InstanceException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.store.StoreSession;
import io.midway.instance.store.StoredCredential;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.CredentialSnapshot;
import io.midway.wire.Json;
import io.midway.wire.SealedSecret;

/**
 * The credentials of the instance ({@code discovery_credentials}): created, changed and removed
 * by admins over the Table API, each change a new credential revision (through
 * {@link InstanceCore#changeCredentials}, which wakes every waiting long poll). Secret fields are
 * encrypted at rest by the {@link CredentialCipher} under the master key
 * {@code <midway.data>/credentials.key} (on a database server, the same file on every instance
 * node: the database keeps a check value of the key, and a node with another key does not start)
 * and never shown: a record lists only the names of the
 * secrets that are set ({@code secrets_set}). Never logs a secret value.
 */
@Component(service = {Credentials.class, CredentialService.class})
public class CredentialService implements Credentials {

    /** The order of a credential created without one. */
    public static final int DEFAULT_ORDER = 100;
    /** The longest credential name. */
    public static final int MAX_NAME_LENGTH = 300;

    private static final Logger LOG = LoggerFactory.getLogger(CredentialService.class);
    /** The fields every credential has, besides those of its type. */
    private static final List<String> COMMON_FIELDS = List.of("name", "type", "order", "active", "resolver",
            "external_id");
    /** Fields a record shows that a request may carry back but cannot change. */
    private static final Set<String> READ_ONLY_FIELDS = Set.of("sys_id", "secrets_set", "sys_created_on",
            "sys_updated_on");

    private final InstanceCore service;
    private final CredentialCipher cipher;

    /**
     * Keeps the master key in {@code <midway.data>/credentials.key}.
     *
     * @param context the bundle context, for {@code midway.data}
     * @param service the instance, which holds the database
     */
    @Activate
    public CredentialService(BundleContext context, @Reference InstanceCore service) {
        this(service, InstanceCore.dataDirectory(context).resolve(CredentialCipher.KEY_FILE));
    }

    /**
     * Reads the master key (creating it on the first start) and checks that it is the key the
     * stored secrets were encrypted with.
     *
     * @param service the instance, which holds the database
     * @param keyFile the master key file
     * @throws IllegalStateException with a message for the operator when the key is missing,
     *     unreadable, damaged or not the key of this database: the credential store does not start
     */
    public CredentialService(InstanceCore service, Path keyFile) {
        this.service = service;
        try {
            // On a database server several instance nodes may share the database: they must share
            // the master key too, and the first node to start records which one (its check value).
            boolean shared = !"h2".equals(service.databaseEngine());
            String check = service.read(StoreSession::credentialKeyCheck);
            boolean secretsStored = service.read(StoreSession::credentialsWithSecrets) > 0;
            if (shared && check != null && !java.nio.file.Files.exists(keyFile)) {
                throw new IllegalStateException(otherNodesKey(keyFile, "is missing"));
            }
            this.cipher = CredentialCipher.open(keyFile, !secretsStored);
            boolean matches = check != null && cipher.matches(check);
            if (check != null && !matches && shared) {
                throw new IllegalStateException(otherNodesKey(keyFile, "is not the key of this database"));
            }
            if (check != null && !matches && secretsStored) {
                throw new IllegalStateException("the credential master key " + keyFile.toAbsolutePath()
                        + " is not the key the stored secrets were encrypted with; restore the right file from a "
                        + "backup");
            }
            if (!matches) {
                if (check != null) {
                    LOG.warn("The credential master key {} is new; no secret was stored under the old one",
                            keyFile.toAbsolutePath());
                }
                boolean recorded = service.changeCredentials(tx -> {
                    if (shared) {
                        return tx.session().claimCredentialKeyCheck(cipher.keyCheck());
                    }
                    tx.session().setCredentialKeyCheck(cipher.keyCheck());
                    return true;
                });
                if (!recorded && !cipher.matches(service.read(StoreSession::credentialKeyCheck))) {
                    throw new IllegalStateException(otherNodesKey(keyFile, "is not the key of this database"));
                }
            }
        } catch (IllegalStateException e) {
            LOG.error("The credential store does not start: {}", e.getMessage());
            throw e;
        }
        LOG.info("Credential store ready: master key {}, credential revision {}", keyFile.toAbsolutePath(),
                service.credentialRevision());
    }

    /**
     * @param keyFile this node's key file
     * @param problem what is wrong with it
     * @return the message for the operator of a node whose key is not the other nodes' one
     */
    private static String otherNodesKey(Path keyFile, String problem) {
        return "the credential master key " + keyFile.toAbsolutePath() + " " + problem + ": the instance nodes "
                + "of one database share one key, which the first node to start recorded (its check value, never "
                + "the key); copy " + CredentialCipher.KEY_FILE + " from the data folder of a node already running "
                + "on this database to " + keyFile.toAbsolutePath() + " (owner read/write only), then start this "
                + "node again";
    }

    // --- Table API -------------------------------------------------------------------------

    /**
     * @param body the request body: {@code name} and {@code type} required, {@code order},
     *     {@code active}, the type's fields, {@code resolver} and {@code external_id}
     * @return the stored credential as the Table API shows it (no secret values)
     * @throws InstanceException 400 for invalid input, 409 for a duplicate name
     */
    public ObjectNode create(JsonNode body) {
        CredentialInput input = CredentialInput.parse(body);
        if (input.type() == null) {
            throw InstanceException.invalid("field 'type' is required", "one of: " + CredentialTypes.names());
        }
        if (input.name() == null) {
            throw InstanceException.invalid("field 'name' is required");
        }
        StoredCredential created = service.changeCredentials(tx -> {
            StoreSession s = tx.session();
            String sysId = AgentRecords.newSysId();
            long now = tx.now().toEpochMilli();
            StoredCredential empty = new StoredCredential(sysId, input.name(), input.type(), DEFAULT_ORDER, true,
                    Map.of(), Map.of(), null, null, now, now);
            StoredCredential credential = merge(empty, input, now);
            requireUniqueName(s, credential);
            s.insertCredential(credential);
            long revision = tx.nextRevision();
            LOG.info("Credential {} ({}) created: type {}, order {}, {}, {}; credential revision {}",
                    credential.name(), sysId, credential.type(), credential.order(),
                    credential.active() ? "active" : "inactive", describeSecrets(credential), revision);
            return credential;
        });
        return view(created);
    }

    /**
     * Changes the fields the body names: a secret field with a value replaces the secret, with
     * {@code ""} or {@code null} clears it; so does {@code ""}/{@code null} for the other text
     * fields. A change of type drops the fields the new type does not have.
     *
     * @param sysId the credential's sys_id
     * @param body the fields to change
     * @return the credential as stored
     * @throws InstanceException 400 for invalid input, 404 for an unknown sys_id, 409 for a duplicate name
     */
    public ObjectNode update(String sysId, JsonNode body) {
        CredentialInput input = CredentialInput.parse(body);
        StoredCredential updated = service.changeCredentials(tx -> {
            StoreSession s = tx.session();
            StoredCredential old = s.findCredential(sysId).orElseThrow(() -> notFound(sysId));
            StoredCredential credential = merge(old, input, tx.now().toEpochMilli());
            requireUniqueName(s, credential);
            s.updateCredential(credential);
            long revision = tx.nextRevision();
            LOG.info("Credential {} ({}) changed (fields given: {}): type {}, order {}, {}, {}; credential revision {}",
                    credential.name(), sysId, String.join(", ", input.present()), credential.type(),
                    credential.order(), credential.active() ? "active" : "inactive", describeSecrets(credential),
                    revision);
            return credential;
        });
        return view(updated);
    }

    /**
     * Deletes a credential and its affinity rows ({@code dscy_credentials_affinity}).
     *
     * @param sysId the credential's sys_id
     * @throws InstanceException 404 for an unknown sys_id
     */
    public void delete(String sysId) {
        service.changeCredentials(tx -> {
            StoreSession s = tx.session();
            StoredCredential old = s.findCredential(sysId).orElseThrow(() -> notFound(sysId));
            s.deleteCredential(sysId);
            int affinity = s.deleteAffinityOfCredential(sysId);
            long revision = tx.nextRevision();
            LOG.info("Credential {} ({}) deleted, with {} credential affinity row{}; credential revision {}",
                    old.name(), sysId, affinity, affinity == 1 ? "" : "s", revision);
            return null;
        });
    }

    /**
     * @param query a query on {@link TableSchema#DISCOVERY_CREDENTIALS}
     * @return the matching credentials as the Table API shows them, reduced to the query's fields
     */
    public List<ObjectNode> list(TableQuery query) {
        if (query.table() != TableSchema.DISCOVERY_CREDENTIALS) {
            throw new IllegalArgumentException("query on " + query.table());
        }
        List<ObjectNode> rows = new ArrayList<>();
        for (StoredCredential credential : service.read(s -> s.queryCredentials(query))) {
            rows.add(query.project(view(credential)));
        }
        return rows;
    }

    /**
     * @param sysId a sys_id
     * @return the credential as the Table API shows it
     */
    public Optional<ObjectNode> get(String sysId) {
        return service.read(s -> s.findCredential(sysId)).map(CredentialService::view);
    }

    /** @return the current credential revision */
    public String revision() {
        return service.credentialRevision();
    }

    // --- delivery to agents -------------------------------------------------------------------

    /**
     * The active credentials for one agent, each secret decrypted from the store and sealed with
     * that agent's public key, so only it can open them. External credentials carry no secret.
     *
     * @param agentName the agent
     * @return the revision (read before the credentials, so a change in between makes the agent
     *     fetch again) and the credentials, by order then name
     * @throws InstanceException 400 without a name, 404 for an unknown agent, 403 for an agent that
     *     is not validated, 409 when the agent has registered no public key
     */
    public CredentialSnapshot forAgent(String agentName) {
        if (agentName == null || agentName.isBlank()) {
            throw InstanceException.invalid("query parameter 'agent' is required");
        }
        String name = agentName.trim();
        String revision = service.credentialRevision();
        record Read(Optional<String> key, boolean known, boolean validated, List<StoredCredential> credentials) {
        }
        Read read = service.read(s -> {
            Optional<io.midway.instance.api.Agent> agent = s.findAgentByName(name);
            boolean known = agent.isPresent();
            boolean validated = known && agent.get().validated();
            return new Read(known ? s.agentPublicKey(name) : Optional.empty(), known, validated,
                    validated ? s.activeCredentials() : List.of());
        });
        if (!read.known()) {
            throw new InstanceException(InstanceException.Reason.NOT_FOUND, "agent " + name + " is not registered",
                    "register with POST /api/mid/agents/register first");
        }
        if (!read.validated()) {
            // Sealed only for a validated agent's validated key: an agent that is new, or that
            // registered another key (rekey), gets nothing until an admin validates it.
            throw new InstanceException(InstanceException.Reason.FORBIDDEN, "agent " + name + " is not validated",
                    "credentials are delivered only to a validated agent, sealed for its validated key: an admin "
                            + "validates it (PATCH /api/now/table/ecc_agent/{sys_id} {\"validated\":true})");
        }
        if (read.key().isEmpty()) {
            throw InstanceException.conflict("agent " + name + " has registered no public key",
                    "credentials are sealed for the agent's key: register again with 'public_key'");
        }
        PublicKey key = SealedSecret.parsePublicKey(read.key().get());
        List<CredentialSnapshot.Credential> records = new ArrayList<>();
        for (StoredCredential c : read.credentials()) {
            Map<String, String> sealed = new LinkedHashMap<>();
            for (Map.Entry<String, String> secret : c.secrets().entrySet()) {
                String value = cipher.decrypt(c.sysId(), secret.getKey(), secret.getValue());
                sealed.put(secret.getKey(), SealedSecret.seal(key, value));
            }
            records.add(new CredentialSnapshot.Credential(c.sysId(), c.name(), c.type(), c.order(), c.active(), c.fields(), sealed,
                    c.resolver(), c.externalId()));
        }
        LOG.debug("Credential revision {} ({} credentials) sealed for agent {}", revision, records.size(), name);
        return new CredentialSnapshot(revision, records);
    }

    // --- merging a request into a credential ------------------------------------------------

    private StoredCredential merge(StoredCredential old, CredentialInput input, long nowMs) {
        String typeName = input.type() != null ? input.type() : old.type();
        CredentialTypes.Type type = CredentialTypes.forName(typeName).orElseThrow(() -> InstanceException.invalid(
                "unknown type '" + typeName + "'", "one of: " + CredentialTypes.names()));
        List<String> unknown = new ArrayList<>();
        for (String field : input.typeFields().keySet()) {
            if (!type.allFields().contains(field)) {
                unknown.add(field);
            }
        }
        if (!unknown.isEmpty()) {
            throw InstanceException.invalid("unknown field" + (unknown.size() == 1 ? "" : "s") + " for type "
                    + typeName + ": " + String.join(", ", unknown), "fields of " + typeName + ": "
                    + String.join(", ", COMMON_FIELDS) + (type.allFields().isEmpty() ? "" : ", ")
                    + String.join(", ", type.allFields()) + " (secret: " + String.join(", ", type.secrets()) + ")");
        }
        String resolver = input.has("resolver") ? input.resolver() : old.resolver();
        String externalId = input.has("external_id") ? input.externalId() : old.externalId();
        if (resolver == null && externalId != null) {
            throw InstanceException.invalid("field 'external_id' needs a 'resolver'",
                    "an external credential names the resolver on the agent that holds it and its id there");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : old.fields().entrySet()) {
            if (type.fields().contains(e.getKey())) {
                fields.put(e.getKey(), e.getValue());
            }
        }
        Map<String, String> secrets = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : old.secrets().entrySet()) {
            if (type.secrets().contains(e.getKey())) {
                secrets.put(e.getKey(), e.getValue());
            }
        }
        List<String> givenSecrets = new ArrayList<>();
        for (Map.Entry<String, String> e : input.typeFields().entrySet()) {
            String field = e.getKey();
            String value = e.getValue();
            boolean secret = type.secrets().contains(field);
            if (value == null || value.isEmpty() || (!secret && value.isBlank())) {
                (secret ? secrets : fields).remove(field);
            } else if (secret) {
                givenSecrets.add(field);
                secrets.put(field, cipher.encrypt(old.sysId(), field, value));
            } else {
                fields.put(field, value);
            }
        }
        if (resolver != null) {
            if (!givenSecrets.isEmpty()) {
                throw InstanceException.invalid("an external credential takes no secret fields: "
                        + String.join(", ", givenSecrets), "its secrets come from resolver " + resolver
                        + " on the agent; leave them out");
            }
            if (!secrets.isEmpty()) {
                throw InstanceException.invalid("the credential still holds secrets: "
                        + String.join(", ", secrets.keySet()), "an external credential holds none; clear them with "
                        + "null in the same request");
            }
        }
        String name = input.name() != null ? input.name() : old.name();
        int order = input.order() != null ? input.order() : old.order();
        boolean active = input.active() != null ? input.active() : old.active();
        return new StoredCredential(old.sysId(), name, typeName, order, active, fields, secrets, resolver, externalId,
                old.createdMs(), nowMs);
    }

    private static void requireUniqueName(StoreSession s, StoredCredential credential) throws java.sql.SQLException {
        Optional<StoredCredential> same = s.findCredentialByName(credential.name());
        if (same.isPresent() && !same.get().sysId().equals(credential.sysId())) {
            throw InstanceException.conflict("a credential named '" + credential.name() + "' exists",
                    "its sys_id is " + same.get().sysId() + "; names are unique");
        }
    }

    private static String describeSecrets(StoredCredential credential) {
        if (credential.resolver() != null) {
            return "external (resolver " + credential.resolver() + ")";
        }
        return credential.secrets().isEmpty() ? "no secrets set"
                : "secrets set: " + String.join(", ", credential.secrets().keySet());
    }

    private static InstanceException notFound(String sysId) {
        return new InstanceException(InstanceException.Reason.NOT_FOUND, "No Record found",
                "no discovery_credentials record with sys_id " + sysId);
    }

    // --- what the Table API shows ------------------------------------------------------------

    /**
     * @param credential a stored credential
     * @return it as the Table API shows it: every field but the secrets, whose names are listed in
     *     {@code secrets_set}
     */
    static ObjectNode view(StoredCredential credential) {
        ObjectNode row = Json.mapper().createObjectNode();
        row.put("sys_id", credential.sysId());
        row.put("name", credential.name());
        row.put("type", credential.type());
        row.put("order", credential.order());
        row.put("active", credential.active());
        Optional<CredentialTypes.Type> type = CredentialTypes.forName(credential.type());
        List<String> fieldNames = type.map(CredentialTypes.Type::fields).orElse(List.copyOf(credential.fields().keySet()));
        for (String field : fieldNames) {
            if (field.equals(CredentialTypes.SUDO)) {
                row.put(field, "true".equals(credential.fields().get(field)));
            } else {
                row.put(field, credential.fields().getOrDefault(field, ""));
            }
        }
        row.put("resolver", credential.resolver() == null ? "" : credential.resolver());
        row.put("external_id", credential.externalId() == null ? "" : credential.externalId());
        ArrayNode set = row.putArray("secrets_set");
        List<String> secretNames = type.map(CredentialTypes.Type::secrets).orElse(List.of());
        for (String secret : secretNames) {
            if (credential.secrets().containsKey(secret)) {
                set.add(secret);
            }
        }
        row.put("sys_created_on", Json.time(Instant.ofEpochMilli(credential.createdMs())));
        row.put("sys_updated_on", Json.time(Instant.ofEpochMilli(credential.updatedMs())));
        return row;
    }

    /** The cipher, for delivery to agents. */
    CredentialCipher cipher() {
        return cipher;
    }

    /**
     * A request body, checked for types: the common fields and the type's fields (values text or
     * {@code null}, for a clear).
     */
    private record CredentialInput(Set<String> present, String name, String type, Integer order, Boolean active,
            String resolver, String externalId, Map<String, String> typeFields) {

        boolean has(String field) {
            return present.contains(field);
        }

        static CredentialInput parse(JsonNode body) {
            ObjectNode object = JsonBody.object(body);
            String name = null;
            if (object.has("name")) {
                name = JsonBody.text(object, "name");
                if (name == null || name.isBlank()) {
                    throw InstanceException.invalid("field 'name' must not be empty");
                }
                name = name.trim();
                if (name.length() > MAX_NAME_LENGTH) {
                    throw InstanceException.invalid("field 'name' is too long",
                            "at most " + MAX_NAME_LENGTH + " characters");
                }
            }
            String type = null;
            if (object.has("type")) {
                type = JsonBody.text(object, "type");
                if (type == null || type.isBlank()) {
                    throw InstanceException.invalid("field 'type' must not be empty",
                            "one of: " + CredentialTypes.names());
                }
                type = type.trim();
                if (CredentialTypes.forName(type).isEmpty()) {
                    throw InstanceException.invalid("unknown type '" + type + "'",
                            "one of: " + CredentialTypes.names());
                }
            }
            Map<String, String> typeFields = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : object.properties()) {
                String field = e.getKey();
                if (COMMON_FIELDS.contains(field) || READ_ONLY_FIELDS.contains(field)) {
                    continue;
                }
                JsonNode value = e.getValue();
                if (field.equals(CredentialTypes.SUDO)) {
                    typeFields.put(field, sudoFlag(value));
                    continue;
                }
                if (value != null && !value.isNull() && !value.isTextual()) {
                    // the value may be a secret: name its kind only
                    throw InstanceException.invalid("field '" + field + "' must be a string",
                            "got a value of type " + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
                }
                typeFields.put(field, value == null || value.isNull() ? null : value.textValue());
            }
            return new CredentialInput(new java.util.TreeSet<>(iterable(object)), name, type, JsonBody.integer(object, "order"),
                    JsonBody.bool(object, "active"), blankToNull(JsonBody.text(object, "resolver")),
                    blankToNull(JsonBody.text(object, "external_id")), typeFields);
        }

        /**
         * @param value the {@code sudo} field of a request: {@code true}/{@code false}, as JSON or
         *     text; {@code null} (a clear, which is false)
         * @return {@code "true"} or {@code "false"}
         */
        private static String sudoFlag(JsonNode value) {
            if (value == null || value.isNull()) {
                return "false";
            }
            if (value.isBoolean()) {
                return String.valueOf(value.booleanValue());
            }
            String text = value.isTextual() ? value.textValue().trim().toLowerCase(java.util.Locale.ROOT) : null;
            if ("true".equals(text) || "false".equals(text)) {
                return text;
            }
            throw InstanceException.invalid("field 'sudo' must be true or false, not " + value,
                    "sudo=true lets the SSHCommand probe run commands on the privileged commands list "
                            + "(probe.ssh.privileged.commands) through sudo with this credential");
        }

        private static List<String> iterable(ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            return names;
        }

        private static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value.trim();
        }
    }
}
