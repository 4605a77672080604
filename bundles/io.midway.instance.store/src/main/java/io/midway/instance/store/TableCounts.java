package io.midway.instance.store;

import io.midway.instance.api.TableSchema;
import io.midway.instance.api.TableQuery;
import java.sql.Connection;
import java.sql.SQLException;

import io.midway.instance.store.sql.Statements;

/** How many rows of a Table API table match a query's condition ({@code *.count} statements). */
final class TableCounts extends TableRows {

    TableCounts(Connection connection, Statements sql) {
        super(connection, sql);
    }

    /**
     * @param query a query on a table of {@link TableSchema#TABLES}; its fields, order, limit and offset do not matter
     * @return how many rows match its condition
     * @throws SQLException on a database error
     */
    long count(TableQuery query) throws SQLException {
        String table = query.table().name();
        String count = switch (table) {
            case "ecc_queue" -> sql.get("queue.count");
            case "ecc_agent" -> sql.get("agent.count");
            case "ecc_agent_cluster" -> sql.get("cluster.count");
            case "discovery_credentials" -> sql.get("credential.count");
            case "dscy_credentials_affinity" -> sql.get("affinity.count");
            case "ecc_agent_property" -> sql.get("property.count");
            case "ecc_agent_config" -> sql.get("parameter.count");
            default -> throw new IllegalStateException("no count statement for table " + table);
        };
        return count(count, query);
    }
}
