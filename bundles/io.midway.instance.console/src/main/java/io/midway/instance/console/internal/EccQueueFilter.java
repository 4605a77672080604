package io.midway.instance.console.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.midway.instance.api.InstanceException;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The ECC Queue page's filter as typed (agent, topic prefix, queue, state, created after/before)
 * and its page (offset, limit), turned into the encoded query a
 * {@code GET /api/now/table/ecc_queue?sysparm_query=…} would carry, so that the page and the Table
 * API agree on what matches.
 *
 * @param agent the {@code agent} field ({@code mid.server.NAME}), empty for any
 * @param topic the start of the topic, empty for any
 * @param queue {@code output}, {@code input}, or empty for both
 * @param state a state, empty for any
 * @param createdAfter {@code yyyy-MM-dd HH:mm:ss} (or a shorter prefix), empty for no bound
 * @param createdBefore same, empty for no bound
 * @param offset records skipped
 * @param limit records on a page
 */
record EccQueueFilter(String agent, String topic, String queue, String state, String createdAfter,
        String createdBefore, int offset, int limit) {

    /** Records on a page unless {@code limit} says otherwise. */
    static final int PAGE_SIZE = 50;
    /** The most records one page shows. */
    static final int MAX_PAGE_SIZE = 500;
    /** The filter's parameter names, in the order the form shows them. */
    static final List<String> PARAMETERS = List.of("agent", "topic", "queue", "state", "created_after",
            "created_before");

    private static final Pattern TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}( \\d{2}(:\\d{2}(:\\d{2})?)?)?");

    /**
     * @param request the request with the filter's parameters
     * @return the filter; values are trimmed, a bad offset or limit falls back to the first page of 50
     */
    static EccQueueFilter of(HttpServletRequest request) {
        return new EccQueueFilter(text(request, "agent"), text(request, "topic"), text(request, "queue"),
                text(request, "state"), time(text(request, "created_after")), time(text(request, "created_before")),
                number(request.getParameter("offset"), 0, 0, Integer.MAX_VALUE),
                number(request.getParameter("limit"), PAGE_SIZE, 1, MAX_PAGE_SIZE));
    }

    /**
     * @return the encoded query, newest first
     * @throws InstanceException (400) for a time that is not {@code yyyy-MM-dd HH:mm:ss}
     */
    String encodedQuery() {
        List<String> terms = new ArrayList<>();
        if (!agent.isEmpty()) {
            terms.add("agent=" + escape(agent));
        }
        if (!topic.isEmpty()) {
            terms.add("topicSTARTSWITH" + escape(topic));
        }
        if (!queue.isEmpty()) {
            terms.add("queue=" + escape(queue));
        }
        if (!state.isEmpty()) {
            terms.add("state=" + escape(state));
        }
        if (!createdAfter.isEmpty()) {
            terms.add("sys_created_on>=" + checkedTime("created_after", createdAfter));
        }
        if (!createdBefore.isEmpty()) {
            terms.add("sys_created_on<=" + checkedTime("created_before", createdBefore));
        }
        terms.add("ORDERBYDESCsys_created_on");
        return String.join("^", terms);
    }

    /**
     * @return the query for this page
     * @throws InstanceException (400) for a bad filter value
     */
    TableQuery query() {
        return TableQuery.parse(TableSchema.ECC_QUEUE, encodedQuery(), null, Integer.toString(limit),
                Integer.toString(offset));
    }

    /** @return the same filter without paging: what {@code count} counts */
    TableQuery countQuery() {
        return TableQuery.parse(TableSchema.ECC_QUEUE, encodedQuery(), null, null, null);
    }

    /** @return the filter's values by parameter name (empty ones left out) */
    Map<String, String> values() {
        Map<String, String> values = new LinkedHashMap<>();
        put(values, "agent", agent);
        put(values, "topic", topic);
        put(values, "queue", queue);
        put(values, "state", state);
        put(values, "created_after", createdAfter);
        put(values, "created_before", createdBefore);
        return values;
    }

    /**
     * @param newOffset the offset of the page linked to
     * @return the query string of that page with this filter, URL-encoded
     */
    String queryString(int newOffset) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> e : values().entrySet()) {
            text.append(text.length() == 0 ? "" : "&").append(e.getKey()).append('=')
                    .append(java.net.URLEncoder.encode(e.getValue(), java.nio.charset.StandardCharsets.UTF_8));
        }
        if (newOffset > 0) {
            text.append(text.length() == 0 ? "" : "&").append("offset=").append(newOffset);
        }
        if (limit != PAGE_SIZE) {
            text.append(text.length() == 0 ? "" : "&").append("limit=").append(limit);
        }
        return text.toString();
    }

    private static String checkedTime(String parameter, String value) {
        if (!TIME.matcher(value).matches()) {
            throw InstanceException.invalid("'" + parameter + "' must be a time yyyy-MM-dd HH:mm:ss (UTC)",
                    "got '" + value + "'");
        }
        return value;
    }

    /** A {@code ^} in a value is written {@code ^^} in an encoded query. */
    private static String escape(String value) {
        return value.replace("^", "^^");
    }

    private static void put(Map<String, String> values, String name, String value) {
        if (!value.isEmpty()) {
            values.put(name, value);
        }
    }

    private static String text(HttpServletRequest request, String name) {
        String value = request.getParameter(name);
        return value == null ? "" : value.trim();
    }

    /** Accepts the browser's {@code datetime-local} form ({@code 2026-12-06T10:00}) too. */
    private static String time(String value) {
        return value.replace('T', ' ');
    }

    private static int number(String text, int fallback, int min, int max) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            return Math.max(min, Math.min(max, Integer.parseInt(text.trim())));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
