package io.midway.instance.http.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import jakarta.servlet.http.HttpServletRequest;

/** Reads a Table API list request's query: {@code sysparm_*} and the name-value filters. */
final class TableQueries {

    private TableQueries() {
    }

    /**
     * @param request a GET on a table
     * @param table the table
     * @return its query; every query parameter that is not {@code sysparm_*} is a name-value
     *     filter ({@code ?topic=TCPScan}), and one that names no field is a 400
     */
    static TableQuery parse(HttpServletRequest request, TableSchema table) {
        Map<String, String> parameters = new LinkedHashMap<>();
        request.getParameterMap().forEach((name, values) -> parameters.put(name, values.length == 0 ? "" : values[0]));
        return TableQuery.parse(table, request.getParameter("sysparm_query"), request.getParameter("sysparm_fields"),
                request.getParameter("sysparm_limit"), request.getParameter("sysparm_offset"), parameters);
    }
}
