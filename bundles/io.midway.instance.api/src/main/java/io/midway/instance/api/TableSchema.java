package io.midway.instance.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whitelist of the fields of one Table API table: the only names that may reach SQL, with
 * their column and type.
 */
public final class TableSchema {

    /** How a field is stored and compared. */
    public enum Type {
        /** Text, compared as is. */
        TEXT,
        /** A whole number. */
        INTEGER,
        /** {@code true} or {@code false}. */
        BOOLEAN,
        /** A list of strings, stored as a JSON array; {@code =} means "contains". */
        LIST,
        /** Any JSON value; cannot be queried or ordered by. */
        JSON
    }

    /**
     * One field.
     *
     * @param name the API name
     * @param column the SQL column (a constant of this class, never user input)
     * @param type how it is compared
     * @param orderColumn the SQL expression to order by
     */
    public record Field(String name, String column, Type type, String orderColumn) {

        Field(String name, Type type) {
            this(name, name, type, name);
        }

        /** @return whether it may appear in {@code field=value} terms */
        public boolean queryable() {
            return type != Type.JSON;
        }

        /** @return whether it may appear in {@code ORDERBY} terms */
        public boolean orderable() {
            return type != Type.JSON && type != Type.LIST;
        }
    }

    /** The ECC queue. */
    public static final TableSchema ECC_QUEUE = new TableSchema("ecc_queue", "created_ms, seq", List.of(
            new Field("sys_id", Type.TEXT),
            new Field("agent", Type.TEXT),
            new Field("topic", Type.TEXT),
            new Field("name", Type.TEXT),
            new Field("source", Type.TEXT),
            new Field("payload", Type.JSON),
            new Field("queue", Type.TEXT),
            new Field("state", Type.TEXT),
            new Field("response_to", Type.TEXT),
            new Field("priority", Type.INTEGER),
            new Field("error_string", Type.TEXT),
            new Field("sys_created_on", "sys_created_on", Type.TEXT, "created_ms"),
            new Field("processed", Type.TEXT),
            new Field("application", Type.TEXT),
            new Field("capability", Type.TEXT),
            new Field("selection", Type.TEXT)));

    /**
     * The agents. {@code capabilities} is the union of {@code advertised_capabilities} (the agent's
     * own, replaced at each registration) and {@code manual_capabilities} (set by hand).
     */
    public static final TableSchema ECC_AGENT = new TableSchema("ecc_agent", "name, seq", List.of(
            new Field("sys_id", Type.TEXT),
            new Field("name", Type.TEXT),
            new Field("status", Type.TEXT),
            new Field("validated", Type.BOOLEAN),
            new Field("version", Type.TEXT),
            new Field("host_name", Type.TEXT),
            new Field("ip_address", Type.TEXT),
            new Field("last_refreshed", Type.TEXT),
            new Field("capabilities", Type.LIST),
            new Field("applications", Type.LIST),
            new Field("ip_ranges", Type.LIST),
            new Field("cluster", Type.TEXT),
            new Field("is_default", Type.BOOLEAN),
            new Field("sync_revision", Type.TEXT),
            new Field("sync_state", Type.TEXT),
            new Field("pinned_version", Type.TEXT),
            new Field("public_key_fingerprint", Type.TEXT),
            new Field("manual_capabilities", Type.LIST),
            new Field("advertised_capabilities", Type.LIST)));

    /**
     * The credentials. Only the columns can be queried; the non-secret fields of the types
     * ({@code user_name} …), {@code secrets_set} and the times are returned but cannot be queried
     * or ordered by. Secret fields are never returned, so they are not fields here.
     */
    public static final TableSchema DISCOVERY_CREDENTIALS = new TableSchema("discovery_credentials",
            "cred_order, name, seq", List.of(
            new Field("sys_id", Type.TEXT),
            new Field("name", Type.TEXT),
            new Field("type", Type.TEXT),
            new Field("order", "cred_order", Type.INTEGER, "cred_order"),
            new Field("active", Type.BOOLEAN),
            new Field("user_name", "fields", Type.JSON, "fields"),
            new Field("auth_protocol", "fields", Type.JSON, "fields"),
            new Field("privacy_protocol", "fields", Type.JSON, "fields"),
            new Field("sudo", "fields", Type.JSON, "fields"),
            new Field("resolver", Type.TEXT),
            new Field("external_id", Type.TEXT),
            new Field("secrets_set", "secrets", Type.JSON, "secrets"),
            new Field("sys_created_on", "created_ms", Type.JSON, "created_ms"),
            new Field("sys_updated_on", "updated_ms", Type.JSON, "updated_ms")));

    /**
     * The credential affinity the agents report: which credential (a {@code discovery_credentials}
     * sys_id) worked for which target of which type on which agent. {@code credential_name} (the
     * credential's name, read with the row) and {@code sys_updated_on} are returned but cannot be
     * queried or ordered by.
     */
    public static final TableSchema DSCY_CREDENTIALS_AFFINITY = new TableSchema("dscy_credentials_affinity",
            "agent, type, target, seq", List.of(
            new Field("sys_id", Type.TEXT),
            new Field("agent", Type.TEXT),
            new Field("credential", Type.TEXT),
            new Field("credential_name", "credential", Type.JSON, "credential"),
            new Field("type", Type.TEXT),
            new Field("target", Type.TEXT),
            new Field("sys_updated_on", "updated_ms", Type.JSON, "updated_ms")));

    /**
     * The agent clusters: {@code members} is the ordered list of agent names ({@code =} means
     * "contains"); the times are returned but cannot be queried or ordered by.
     */
    public static final TableSchema ECC_AGENT_CLUSTER = new TableSchema("ecc_agent_cluster", "name, seq", List.of(
            new Field("sys_id", Type.TEXT),
            new Field("name", Type.TEXT),
            new Field("type", Type.TEXT),
            new Field("members", Type.LIST),
            new Field("sys_created_on", "created_ms", Type.JSON, "created_ms"),
            new Field("sys_updated_on", "updated_ms", Type.JSON, "updated_ms")));

    /**
     * The agent properties (issue 17): a setting of the agent settings catalog for every agent
     * ({@code agent} empty) or for one; one record per name and agent.
     */
    public static final TableSchema ECC_AGENT_PROPERTY = new TableSchema("ecc_agent_property", "name, agent, seq",
            settingFields());

    /**
     * The configuration parameters (issue 17): a setting for one agent ({@code agent} required),
     * over the properties; one record per name and agent.
     */
    public static final TableSchema ECC_AGENT_CONFIG = new TableSchema("ecc_agent_config", "name, agent, seq",
            settingFields());

    private static List<Field> settingFields() {
        return List.of(
                new Field("sys_id", Type.TEXT),
                new Field("name", Type.TEXT),
                new Field("value", "setting_value", Type.TEXT, "setting_value"),
                new Field("agent", Type.TEXT),
                new Field("sys_created_on", "created_ms", Type.JSON, "created_ms"),
                new Field("sys_updated_on", "updated_ms", Type.JSON, "updated_ms"));
    }

    /**
     * The identities ({@code sys_user}): answered by their own servlet, from memory (the stored
     * identities and the built-in users), so not one of {@link #TABLES}.
     */
    public static final TableSchema SYS_USER = new TableSchema("sys_user", "user_name", List.of(
            new Field("sys_id", Type.TEXT),
            new Field("user_name", Type.TEXT),
            new Field("roles", Type.TEXT),
            new Field("agent", Type.TEXT),
            new Field("active", Type.BOOLEAN),
            new Field("source", Type.TEXT),
            new Field("sys_created_on", Type.TEXT)));

    /** The Table API tables, in the order error messages list them. */
    public static final List<TableSchema> TABLES = List.of(ECC_QUEUE, ECC_AGENT, ECC_AGENT_CLUSTER,
            DISCOVERY_CREDENTIALS, DSCY_CREDENTIALS_AFFINITY, ECC_AGENT_PROPERTY, ECC_AGENT_CONFIG);

    private final String name;
    private final String defaultOrder;
    private final Map<String, Field> fields;

    private TableSchema(String name, String defaultOrder, List<Field> fields) {
        this.name = name;
        this.defaultOrder = defaultOrder;
        Map<String, Field> map = new LinkedHashMap<>();
        for (Field field : fields) {
            map.put(field.name(), field);
        }
        this.fields = Collections.unmodifiableMap(map);
    }

    /**
     * @param tableName a table name from a request path
     * @return the table, if it is one of the Table API tables
     */
    public static Optional<TableSchema> forName(String tableName) {
        return TABLES.stream().filter(t -> t.name.equals(tableName)).findFirst();
    }

    /** @return the names of the Table API tables, comma-separated, for error details */
    public static String tableNames() {
        return String.join(", ", TABLES.stream().map(TableSchema::name).toList());
    }

    /** @return the table name */
    public String name() {
        return name;
    }

    /** @return the SQL order when the query names none (constant text) */
    public String defaultOrder() {
        return defaultOrder;
    }

    /**
     * @param fieldName an API field name
     * @return the field, if the table has it
     */
    public Optional<Field> field(String fieldName) {
        return Optional.ofNullable(fields.get(fieldName));
    }

    /** @return the field names, in record order */
    public List<String> fieldNames() {
        return new ArrayList<>(fields.keySet());
    }

    @Override
    public String toString() {
        return name;
    }
}
