package io.midway.probe.jdbc.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbePayload;
import io.midway.api.probe.ProbeRequest;
import io.midway.protocol.jdbc.JdbcProtocol;

/**
 * The payload of a JDBCProbe record, checked: every problem is a {@link ProbeException} that says
 * which field is wrong and what it accepts.
 */
final class StatementRequest {

    static final long DEFAULT_TIMEOUT_MS = 30_000;
    static final long MAX_TIMEOUT_MS = 300_000;
    static final long DEFAULT_MAX_ROWS = 1_000;
    static final long MAX_MAX_ROWS = 100_000;

    private static final String URL_ACCEPTED = "a JDBC URL such as jdbc:postgresql://db.example.com:5432/cmdb";

    final String url;
    final String sql;
    final List<Object> parameters;
    final int maxRows;
    final String credential;
    final long timeoutMs;
    final boolean readOnly;

    private StatementRequest(String url, String sql, List<Object> parameters, int maxRows, String credential, long timeoutMs,
            boolean readOnly) {
        this.url = url;
        this.sql = sql;
        this.parameters = parameters;
        this.maxRows = maxRows;
        this.credential = credential;
        this.timeoutMs = timeoutMs;
        this.readOnly = readOnly;
    }

    static StatementRequest from(ProbeRequest request) throws ProbeException {
        ProbePayload payload = ProbePayload.of(request);
        String url = payload.requiredText("url", URL_ACCEPTED);
        if (!url.regionMatches(true, 0, "jdbc:", 0, 5) || url.length() < 7) {
            throw new ProbeException("Bad " + payload.path("url") + " '" + ProbePayload.shorten(JdbcProtocol.display(url))
                    + "': it must be " + URL_ACCEPTED + ".");
        }
        if (holdsPassword(url)) {
            throw new ProbeException("Bad " + payload.path("url") + ": it holds a password; name a credential in payload.credential "
                    + "instead.");
        }
        String sql = payload.requiredText("sql", "one SQL statement, e.g. SELECT name FROM host WHERE cpus > ?");
        List<Object> parameters = parameters(payload);
        long maxRows = payload.wholeNumber("max_rows", 1, MAX_MAX_ROWS, DEFAULT_MAX_ROWS, "rows");
        String credential = payload.text("credential", null);
        credential = credential == null || credential.isBlank() ? null : credential.trim();
        long timeoutMs = payload.wholeNumber("timeout_ms", 1, MAX_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, "milliseconds");
        boolean readOnly = payload.bool("read_only", true);
        return new StatementRequest(url, sql, parameters, (int) maxRows, credential, timeoutMs, readOnly);
    }

    private static List<Object> parameters(ProbePayload payload) throws ProbeException {
        List<Object> given = payload.list("parameters");
        List<Object> parameters = new ArrayList<>(given.size());
        for (int i = 0; i < given.size(); i++) {
            Object value = given.get(i);
            if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer || value instanceof Long
                    || value instanceof BigInteger || value instanceof BigDecimal || value instanceof Double || value instanceof Float
                    || value instanceof Short || value instanceof Byte) {
                if ((value instanceof Double || value instanceof Float) && !Double.isFinite(((Number) value).doubleValue())) {
                    throw new ProbeException(payload.path("parameters") + "[" + i + "] is " + ProbePayload.describe(value)
                            + ": a parameter must be a finite number, a string, true, false or null.");
                }
                parameters.add(value);
            } else {
                throw new ProbeException(payload.path("parameters") + "[" + i + "] is " + ProbePayload.describe(value)
                        + ": a parameter must be a number, a string, true, false or null.");
            }
        }
        return Collections.unmodifiableList(parameters);
    }

    /** @return whether the URL's parameters or settings give a password */
    static boolean holdsPassword(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("password");
        while (at >= 0) {
            char before = at == 0 ? ' ' : lower.charAt(at - 1);
            int after = at + "password".length();
            if ((before == '?' || before == '&' || before == ';') && after < lower.length() && lower.charAt(after) == '=') {
                return true;
            }
            at = lower.indexOf("password", at + 1);
        }
        return lower.matches("jdbc:[a-z0-9:]+//[^/@?;]*:[^/@?;]*@.*");
    }
}
