package io.midway.probe.jdbc.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.credential.Credential;
import io.midway.api.credential.CredentialException;
import io.midway.api.credential.CredentialType;
import io.midway.api.credential.Credentials;
import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;
import io.midway.api.probe.ProbeResult;
import io.midway.api.probe.ProbeTopic;
import io.midway.api.secret.SecretScrubber;
import io.midway.protocol.jdbc.JdbcProtocol;

/**
 * The probe for ECC topic {@code JDBCProbe}: one SQL statement against a database through the
 * {@code jdbc} protocol, read-only unless the payload says {@code "read_only": false}.
 *
 * <p>Payload {@code {"url","sql","parameters":[…],"max_rows","credential","timeout_ms","read_only"}};
 * result {@code {"columns":[{"name","type"}],"rows":[[…]],"row_count","truncated"}}, or
 * {@code {"update_count":n}} for a statement that is not a query.
 *
 * <p>It needs the {@link JdbcProtocol} service (static: without the protocol bundle there is no
 * JDBCProbe probe); the {@link Credentials} service is optional and may come and go.
 */
@Component(service = Probe.class)
@ProbeTopic(JdbcQueryProbe.TOPIC)
public class JdbcQueryProbe implements Probe {

    /** The ECC topic this probe handles. */
    public static final String TOPIC = "JDBCProbe";

    /** The largest result, about 20 MiB of JSON: the MID Server's limit. */
    static final long SIZE_LIMIT = 20L << 20;

    /** How long a cancelled statement may take to end before its connection is closed under it. */
    private static final long CANCEL_GRACE_MS = 2_000;
    private static final int FETCH_SIZE = 500;
    private static final Logger LOG = LoggerFactory.getLogger(JdbcQueryProbe.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final JdbcProtocol jdbc;
    private final long sizeLimit;
    private final ExecutorService workers = Executors.newCachedThreadPool(daemonThreads());

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Credentials credentials;

    /**
     * @param jdbc the JDBC protocol
     */
    @Activate
    public JdbcQueryProbe(@Reference(name = "jdbc") JdbcProtocol jdbc) {
        this(jdbc, null, SIZE_LIMIT);
    }

    /**
     * For tests: a probe with a credential store and a size limit.
     *
     * @param jdbc the JDBC protocol
     * @param credentials the credentials, or {@code null}
     * @param sizeLimit the result size limit in bytes
     */
    JdbcQueryProbe(JdbcProtocol jdbc, Credentials credentials, long sizeLimit) {
        this.jdbc = jdbc;
        this.credentials = credentials;
        this.sizeLimit = sizeLimit;
    }

    @Deactivate
    void deactivate() {
        workers.shutdownNow();
    }

    @Override
    public ProbeResult run(ProbeRequest request) throws ProbeException, InterruptedException {
        StatementRequest statement = StatementRequest.from(request);
        String target = JdbcProtocol.display(statement.url);
        Credentials store = credentials;
        List<Credential> logins = logins(statement, target, store);
        StatementRun run = new StatementRun(statement, target, logins, store);
        Future<Map<String, Object>> outcome;
        try {
            outcome = workers.submit(run::call);
        } catch (RejectedExecutionException e) {
            throw new ProbeException("the JDBCProbe probe is stopping: statement on " + target + " not run.");
        }
        try {
            Map<String, Object> result = outcome.get(statement.timeoutMs, TimeUnit.MILLISECONDS);
            LOG.debug("{}: statement on {} done: {}", request, target,
                    result.containsKey("update_count") ? result.get("update_count") + " row(s) changed" : result.get("row_count") + " row(s)");
            return ProbeResult.of(result);
        } catch (TimeoutException e) {
            boolean connected = run.cancel();
            awaitEnd(outcome, run);
            LOG.debug("{}: statement on {} timed out after {} ms", request, target, statement.timeoutMs);
            throw new ProbeException(connected
                    ? "the statement on " + target + " did not finish within " + statement.timeoutMs + " ms (payload.timeout_ms); it was cancelled."
                    : "no connection to " + target + " within " + statement.timeoutMs + " ms (payload.timeout_ms).");
        } catch (InterruptedException e) {
            run.cancel();
            outcome.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ProbeException) {
                throw (ProbeException) cause;
            }
            LOG.debug("{}: statement on {} failed", request, target, cause);
            throw new ProbeException("the statement on " + target + " failed: " + run.scrubber.scrub(String.valueOf(cause)));
        }
    }

    /** After a cancel: lets the statement end for a moment, then closes its connection under it. */
    private static void awaitEnd(Future<?> outcome, StatementRun run) throws InterruptedException {
        try {
            outcome.get(CANCEL_GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // ended with the cancellation's error: expected
        } catch (TimeoutException e) {
            run.closeConnection();
            outcome.cancel(true);
        }
    }

    /**
     * @return the credentials to try in order; a {@code null} element means "log in without one"
     */
    private static List<Credential> logins(StatementRequest statement, String target, Credentials store) throws ProbeException {
        List<Credential> logins = new ArrayList<>();
        if (statement.credential != null) {
            if (store == null) {
                throw new ProbeException("payload.credential names '" + statement.credential
                        + "', but this agent has no credential store running: cannot log in.");
            }
            Credential credential = store.find(statement.credential).orElseThrow(
                    () -> new ProbeException("no credential '" + statement.credential + "' on this agent"));
            if (credential.type() != CredentialType.JDBC && credential.type() != CredentialType.BASIC) {
                throw new ProbeException(describe(credential) + " cannot be used for JDBC: the type " + credential.type().id()
                        + " is not supported; use a jdbc or basic credential.");
            }
            logins.add(credential);
            return logins;
        }
        if (store != null) {
            for (CredentialType type : List.of(CredentialType.JDBC, CredentialType.BASIC)) {
                for (Credential candidate : store.candidates(type, target)) {
                    if (logins.stream().noneMatch(c -> c.id().equals(candidate.id()))) {
                        logins.add(candidate);
                    }
                }
            }
        }
        if (logins.isEmpty()) {
            logins.add(null);
        }
        return logins;
    }

    private static String describe(Credential credential) {
        return "credential '" + credential.name() + "' (" + credential.type().id() + ")";
    }

    /** @return the message with its SQLState, e.g. {@code ERROR: … (SQLState 42601)} */
    private static String withState(SQLException e, SecretScrubber scrubber) {
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage().trim();
        String state = e.getSQLState();
        return scrubber.scrub(message) + (state == null || state.isBlank() || message.contains(state) ? "" : " (SQLState " + state + ")");
    }

    private static boolean isAuthenticationFailure(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("28");
    }

    private static boolean isCancellation(SQLException e) {
        return e instanceof SQLTimeoutException || "57014".equals(e.getSQLState()) || "HYT00".equals(e.getSQLState())
                || "HYT01".equals(e.getSQLState());
    }

    private static ThreadFactory daemonThreads() {
        return runnable -> {
            Thread thread = new Thread(runnable, "midway-jdbc-probe-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One statement's run on a worker thread: log in, execute, read, end the transaction. */
    private final class StatementRun {

        /** the passwords opened so far; written by the worker thread, read by the caller on failure */
        volatile SecretScrubber scrubber = SecretScrubber.NONE;
        private final StatementRequest request;
        private final String target;
        private final List<Credential> logins;
        private final Credentials store;
        private final long deadline;
        private final AtomicReference<Connection> connection = new AtomicReference<>();
        private final AtomicReference<Statement> statement = new AtomicReference<>();
        private volatile boolean cancelled;

        StatementRun(StatementRequest request, String target, List<Credential> logins, Credentials store) {
            this.request = request;
            this.target = target;
            this.logins = logins;
            this.store = store;
            this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(request.timeoutMs);
        }

        Map<String, Object> call() throws ProbeException {
            try (Connection db = login()) {
                connection.set(db);
                if (cancelled) {
                    throw new ProbeException("cancelled");
                }
                try {
                    return execute(db);
                } catch (SQLException e) {
                    rollback(db);
                    if (cancelled || isCancellation(e)) {
                        throw new ProbeException("the statement on " + target + " did not finish within " + request.timeoutMs
                                + " ms (payload.timeout_ms); it was cancelled.");
                    }
                    throw new ProbeException(sqlFailure(e));
                }
            } catch (SQLException e) {
                // closing failed: the work is done or has already failed
                throw new ProbeException("closing the connection to " + target + " failed: " + withState(e, scrubber));
            } finally {
                connection.set(null);
            }
        }

        private String sqlFailure(SQLException e) {
            String text = "SQL error on " + target + ": " + withState(e, scrubber);
            if ("25006".equals(e.getSQLState()) && request.readOnly) {
                text += "; the probe runs read-only unless the payload says \"read_only\": false";
            }
            return text + ".";
        }

        private Map<String, Object> execute(Connection db) throws SQLException, ProbeException {
            db.setAutoCommit(false);
            db.setReadOnly(request.readOnly);
            try (PreparedStatement prepared = db.prepareStatement(request.sql)) {
                statement.set(prepared);
                if (cancelled) {
                    throw new ProbeException("cancelled");
                }
                prepared.setQueryTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, (remainingMs() + 999) / 1000)));
                prepared.setMaxRows(request.maxRows + 1);
                prepared.setFetchSize(Math.min(request.maxRows + 1, FETCH_SIZE));
                for (int i = 0; i < request.parameters.size(); i++) {
                    bind(prepared, i + 1, request.parameters.get(i));
                }
                Map<String, Object> result;
                long changed = 0;
                if (prepared.execute()) {
                    try (ResultSet rows = prepared.getResultSet()) {
                        result = new ResultSetReader(sizeLimit, scrubber).read(rows, request.maxRows);
                    }
                } else {
                    changed = updateCount(prepared);
                    result = new LinkedHashMap<>();
                    result.put("update_count", changed);
                }
                if (request.readOnly) {
                    db.rollback();
                    if (changed > 0) {
                        // a driver that takes read-only as a mere hint (H2) ran the write: it was undone
                        throw new ProbeException("the statement on " + target + " changed " + changed + " row(s), but payload.read_only is "
                                + "true (the default): the change was rolled back. Send \"read_only\": false to write.");
                    }
                } else {
                    db.commit();
                }
                return result;
            } finally {
                statement.set(null);
            }
        }

        private void bind(PreparedStatement prepared, int index, Object value) throws SQLException {
            if (value == null) {
                prepared.setNull(index, Types.NULL);
            } else if (value instanceof BigInteger) {
                prepared.setBigDecimal(index, new BigDecimal((BigInteger) value));
            } else {
                prepared.setObject(index, value);
            }
        }

        private long updateCount(Statement executed) throws SQLException {
            try {
                return Math.max(0, executed.getLargeUpdateCount());
            } catch (SQLFeatureNotSupportedException | UnsupportedOperationException e) {
                return Math.max(0, executed.getUpdateCount());
            }
        }

        /** Connects with the first credential that is accepted; only a refused login moves on to the next. */
        private Connection login() throws ProbeException {
            List<String> refusals = new ArrayList<>();
            for (Credential credential : logins) {
                String user = null;
                String password = null;
                if (credential != null) {
                    try {
                        user = credential.field("user_name").filter(name -> !name.isEmpty()).orElse(null);
                        password = credential.secret("password");
                        scrubber = scrubber.and(password);
                    } catch (CredentialException e) {
                        if (logins.size() == 1) {
                            throw new ProbeException(scrubber.scrub(e.getMessage()));
                        }
                        refusals.add("'" + credential.name() + "': " + scrubber.scrub(e.getMessage()));
                        continue;
                    }
                }
                try {
                    Connection db = jdbc.connect(request.url, user, password, Duration.ofMillis(Math.max(1, remainingMs())));
                    if (credential != null) {
                        store.worked(credential, target);
                    }
                    return db;
                } catch (SQLTimeoutException e) {
                    throw new ProbeException("no connection to " + target + " within " + request.timeoutMs + " ms (payload.timeout_ms).");
                } catch (SQLException e) {
                    if (!isAuthenticationFailure(e)) {
                        String message = withState(e, scrubber);
                        throw new ProbeException(e.getMessage() != null && e.getMessage().startsWith("no JDBC driver")
                                ? e.getMessage() + "." : "cannot connect to " + target + ": " + message);
                    }
                    if (logins.size() == 1) {
                        throw new ProbeException("authentication failed on " + target + (credential == null
                                ? " without a credential: " + withState(e, scrubber) + "; name one in payload.credential, or give "
                                        + "the agent a jdbc credential."
                                : " with " + describe(credential) + ": " + withState(e, scrubber) + "."));
                    }
                    refusals.add("'" + credential.name() + "': " + withState(e, scrubber));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ProbeException("interrupted while connecting to " + target);
                }
            }
            throw new ProbeException("no jdbc or basic credential worked for " + target + " (" + String.join("; ", refusals) + ").");
        }

        private long remainingMs() {
            return TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        }

        /**
         * Cancels the run: the running statement is cancelled, one not started yet is not run.
         *
         * @return whether it had a connection (else it was still logging in)
         */
        boolean cancel() {
            cancelled = true;
            Statement running = statement.get();
            if (running != null) {
                try {
                    running.cancel();
                } catch (SQLException | RuntimeException e) {
                    LOG.debug("cancelling the statement on {} failed: {}", target, e.toString());
                }
            }
            return connection.get() != null;
        }

        void closeConnection() {
            Optional.ofNullable(connection.get()).ifPresent(db -> {
                try {
                    db.close();
                } catch (SQLException | RuntimeException e) {
                    LOG.debug("closing the connection to {} failed: {}", target, e.toString());
                }
            });
        }

        private void rollback(Connection db) {
            try {
                if (!db.isClosed() && !db.getAutoCommit()) {
                    db.rollback();
                }
            } catch (SQLException | RuntimeException e) {
                LOG.debug("rollback on {} failed: {}", target, e.toString());
            }
        }
    }
}
