package io.midway.jmh;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.midway.instance.api.OutputRequest;
import io.midway.instance.store.sql.Statements;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.AgentResults;
import io.midway.instance.api.AgentResult;
import io.midway.instance.api.PollResult;

/**
 * Which index of {@code ecc_queue} each queue statement uses, as the engine plans it ({@code
 * EXPLAIN}), on a queue of 20,000 answered and 1,000 ready records (issue 15: no index the queries
 * do not use). Prints, per statement, the indexes in its plan, then per index the statements.
 *
 * <pre>
 * java -cp bundles/io.midway.jmh/target/benchmarks.jar io.midway.jmh.QueueIndexes [h2|postgresql]
 * </pre>
 */
public final class QueueIndexes {

    private static final String AGENT = "'" + QueueRecord.agentField(InstanceUnderTest.AGENT) + "'";
    private static final String IDS = "ARRAY['a1', 'a2']";

    /** Each statement on ecc_queue with literal values for its parameters, in order. */
    private static final Map<String, List<String>> PARAMETERS = new LinkedHashMap<>();

    static {
        p("queue.by.sys_id", "'a1'");
        p("queue.by.sys_ids", IDS);
        p("queue.input.for", "'a1'", "'input'");
        p("queue.inputs.for", IDS, "'input'");
        p("queue.ready", AGENT, "'output'", "'ready'", "100");
        p("queue.ready.heartbeat", AGENT, "'output'", "'ready'", "'HeartbeatProbe'", "100");
        p("queue.ready.interactive", AGENT, "'output'", "'ready'", "0", "100");
        p("queue.ready.heartbeat.interactive", AGENT, "'output'", "'ready'", "'HeartbeatProbe'", "0", "100");
        p("queue.by.seqs", "ARRAY[1, 2]");
        p("queue.claim", "'processing'", "1", AGENT, "'output'", "'ready'", "100");
        p("queue.claim.heartbeat", "'processing'", "1", AGENT, "'output'", "'ready'", "'HeartbeatProbe'", "100");
        p("queue.claim.interactive", "'processing'", "1", AGENT, "'output'", "'ready'", "0", "100");
        p("queue.claim.heartbeat.interactive", "'processing'", "1", AGENT, "'output'", "'ready'", "'HeartbeatProbe'",
                "0", "100");
        p("queue.lease", "'processing'", "1", "'a1'");
        p("queue.release", "'ready'", "'a1'");
        p("queue.complete", "'processed'", "NULL", "'x'", "'a1'");
        p("queue.complete.all", "'processed'", "NULL", "'x'", IDS);
        p("queue.heartbeat.pending", AGENT, "'output'", "'HeartbeatProbe'", "'ready'", "'processing'");
        p("queue.leases.expired", "'output'", "'processing'", "1");
        p("queue.leases.release", "'ready'", "'output'", "'processing'", "1");
        p("queue.agents.of", IDS);
        p("queue.broadcast.mark", "'a1'");
        p("queue.waiting", AGENT, "'output'", "'ready'", "'processing'");
        p("queue.move", AGENT, "'ready'", "'n'", "'n'", "'a1'", "'output'", "'ready'", "'processing'");
        p("agent.heartbeat.due", "1", "'mid.server.'", "'output'", "'HeartbeatProbe'", "'ready'", "'processing'");
    }

    private static void p(String key, String... values) {
        PARAMETERS.put(key, List.of(values));
    }

    private QueueIndexes() {
    }

    /**
     * @param args the engine: {@code h2} (default) or {@code postgresql}
     * @throws Exception on a database error
     */
    public static void main(String[] args) throws Exception {
        String store = args.length > 0 ? args[0] : "h2";
        Statements sql = "postgresql".equals(store)
                ? Statements.load(io.midway.instance.store.postgresql.PostgresEngine.class, "postgresql")
                : Statements.load(io.midway.instance.store.h2.H2Engine.class, "h2");
        Pattern index = Pattern.compile("(?i)(ecc_queue_[a-z_]+|ecc_queue_pkey|PRIMARY_KEY_[0-9A-F]+|"
                + "CONSTRAINT_[0-9A-F]+|tableScan|Seq Scan on ecc_queue)");
        try (InstanceUnderTest instance = new InstanceUnderTest(store)) {
            List<OutputRequest> hundred = Collections.nCopies(100, InstanceUnderTest.output("TCPScan"));
            for (int i = 0; i < 100; i++) {
                instance.service.outputs().insertOutputs(hundred);
                PollResult claimed = instance.service.polls().poll(InstanceUnderTest.AGENT, 100);
                List<AgentResult> answers = new ArrayList<>();
                for (QueueRecord r : claimed.result()) {
                    answers.add(new AgentResult(r.sysId(), null, null, null, null, QueueRecord.STATE_PROCESSED, null));
                }
                instance.service.polls().input(new AgentResults(answers));
            }
            for (int i = 0; i < 10; i++) {
                instance.service.outputs().insertOutputs(hundred);
            }
            Map<String, TreeSet<String>> byIndex = new LinkedHashMap<>();
            try (Connection c = instance.connect(); Statement st = c.createStatement()) {
                if ("postgresql".equals(store)) {
                    st.execute("ANALYZE ecc_queue");
                }
                for (Map.Entry<String, List<String>> e : PARAMETERS.entrySet()) {
                    String text = sql.get(e.getKey());
                    for (String value : e.getValue()) {
                        text = text.replaceFirst("\\?", Matcher.quoteReplacement(value));
                    }
                    // H2 does not explain the statement inside a data change delta table: explain that one
                    int delta = text.indexOf("FROM FINAL TABLE (");
                    if (delta >= 0) {
                        text = text.substring(delta + "FROM FINAL TABLE (".length(), text.lastIndexOf(')'));
                    }
                    StringBuilder plan = new StringBuilder();
                    try (ResultSet rs = st.executeQuery("EXPLAIN " + text)) {
                        while (rs.next()) {
                            plan.append(rs.getString(1)).append('\n');
                        }
                    }
                    TreeSet<String> used = new TreeSet<>();
                    Matcher m = index.matcher(plan);
                    while (m.find()) {
                        used.add(m.group(1).toLowerCase(java.util.Locale.ROOT));
                    }
                    System.out.println(e.getKey() + ": " + used);
                    for (String u : used) {
                        byIndex.computeIfAbsent(u, k -> new TreeSet<>()).add(e.getKey());
                    }
                    if (System.getProperty("plans") != null) {
                        System.out.println(plan);
                    }
                }
                System.out.println("--- indexes of ecc_queue and the statements whose plans use them");
                byIndex.forEach((k, v) -> System.out.println(k + ": " + v));
            }
        }
    }
}
