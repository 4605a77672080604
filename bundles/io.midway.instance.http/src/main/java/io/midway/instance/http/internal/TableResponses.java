package io.midway.instance.http.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.TableQuery;
import io.midway.wire.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * What the ServiceNow Table API puts around its records, for every table of ours:
 * <ul>
 * <li>lists answer {@code X-Total-Count} (all records the query matches) and a {@code Link}
 * header with the absolute URLs of the {@code first}, {@code prev}, {@code next} and {@code last}
 * pages, unless {@code sysparm_suppress_pagination_header=true};</li>
 * <li>a {@code 201} carries an absolute {@code Location};</li>
 * <li>{@code sysparm_display_value}: {@code false} (the default) answers the values,
 * {@code true} each field's display value (a string: {@code ""} for empty, numbers and booleans as
 * text, a list's elements joined by {@code ", "}, a JSON payload as its JSON text), {@code all}
 * both as {@code {"display_value": …, "value": …}};</li>
 * <li>{@code sysparm_exclude_reference_link} ({@code true}/{@code false}) is accepted: our tables
 * hold no reference fields, so no {@code link} is ever answered.</li>
 * </ul>
 * A bad value of any of these parameters is a 400 naming it.
 */
final class TableResponses {

    /** How the fields' values are answered ({@code sysparm_display_value}). */
    enum DisplayValue {
        /** The values (the default). */
        FALSE,
        /** The display values, as strings. */
        TRUE,
        /** Both, as {@code {"display_value", "value"}}. */
        ALL
    }

    private TableResponses() {
    }

    /**
     * @param request the request
     * @return its {@code sysparm_display_value}
     * @throws RequestException (400) for a value other than {@code true}, {@code false}, {@code all};
     *     also checks {@code sysparm_exclude_reference_link} and {@code sysparm_suppress_pagination_header}
     */
    static DisplayValue displayValue(HttpServletRequest request) {
        flag(request, "sysparm_exclude_reference_link");
        flag(request, "sysparm_suppress_pagination_header");
        String value = request.getParameter("sysparm_display_value");
        if (value == null || value.isBlank()) {
            return DisplayValue.FALSE;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "false" -> DisplayValue.FALSE;
            case "true" -> DisplayValue.TRUE;
            case "all" -> DisplayValue.ALL;
            default -> throw RequestException.badRequest("sysparm_display_value must be true, false or all, got '"
                    + value + "'");
        };
    }

    private static boolean flag(HttpServletRequest request, String name) {
        String value = request.getParameter(name);
        if (value == null || value.isBlank()) {
            return false;
        }
        if (value.trim().equalsIgnoreCase("true")) {
            return true;
        }
        if (value.trim().equalsIgnoreCase("false")) {
            return false;
        }
        throw RequestException.badRequest(name + " must be true or false, got '" + value + "'");
    }

    /**
     * @param row a record as JSON, already reduced to the requested fields
     * @param mode how its values are answered
     * @return the record as asked
     */
    static ObjectNode shape(ObjectNode row, DisplayValue mode) {
        if (mode == DisplayValue.FALSE) {
            return row;
        }
        ObjectNode out = Json.mapper().createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            String display = display(field.getValue());
            if (mode == DisplayValue.TRUE) {
                out.put(field.getKey(), display);
            } else {
                ObjectNode both = out.putObject(field.getKey());
                both.put("display_value", display);
                both.set("value", field.getValue());
            }
        }
        return out;
    }

    /**
     * @param rows records as JSON
     * @param mode how their values are answered
     * @return the records as asked
     */
    static List<ObjectNode> shape(List<ObjectNode> rows, DisplayValue mode) {
        if (mode == DisplayValue.FALSE) {
            return rows;
        }
        List<ObjectNode> out = new ArrayList<>(rows.size());
        for (ObjectNode row : rows) {
            out.add(shape(row, mode));
        }
        return out;
    }

    private static String display(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "";
        }
        if (value.isArray()) {
            List<String> parts = new ArrayList<>();
            for (JsonNode element : value) {
                parts.add(display(element));
            }
            return String.join(", ", parts);
        }
        if (value.isObject()) {
            return value.toString();
        }
        return value.asText();
    }

    /**
     * Sets {@code X-Total-Count} and {@code Link} on a list's reply, unless
     * {@code sysparm_suppress_pagination_header=true}.
     *
     * @param request the request
     * @param response the response
     * @param query the query answered (its limit and offset)
     * @param total how many records match it in all
     */
    static void paginate(HttpServletRequest request, HttpServletResponse response, TableQuery query, long total) {
        if (flag(request, "sysparm_suppress_pagination_header")) {
            return;
        }
        response.setHeader("X-Total-Count", Long.toString(total));
        int limit = query.limit();
        if (limit <= 0) {
            return;
        }
        long offset = query.offset();
        List<String> links = new ArrayList<>();
        links.add(link(request, limit, 0, "first"));
        if (offset > 0) {
            links.add(link(request, limit, Math.max(0, offset - limit), "prev"));
        }
        if (offset + limit < total) {
            links.add(link(request, limit, offset + limit, "next"));
        }
        long last = total == 0 ? 0 : ((total - 1) / limit) * limit;
        links.add(link(request, limit, last, "last"));
        response.setHeader("Link", String.join(",", links));
    }

    private static String link(HttpServletRequest request, int limit, long offset, String rel) {
        StringBuilder url = new StringBuilder(request.getRequestURL());
        url.append('?');
        String query = request.getQueryString();
        if (query != null) {
            for (String pair : query.split("&")) {
                String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
                if (pair.isEmpty() || name.equals("sysparm_limit") || name.equals("sysparm_offset")) {
                    continue;
                }
                url.append(pair).append('&');
            }
        }
        url.append("sysparm_limit=").append(limit).append("&sysparm_offset=").append(offset);
        return "<" + url + ">;rel=\"" + rel + "\"";
    }

    /**
     * @param request the request that made the record (its URL names the table)
     * @param sysId the new record's sys_id
     * @return the record's absolute URL, for {@code Location}
     */
    static String location(HttpServletRequest request, String sysId) {
        String url = request.getRequestURL().toString();
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        return url + "/" + sysId;
    }
}
