package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.testing.servers.PostgresServer;

/**
 * Two instance nodes on one PostgreSQL database (issue 15 points 5 and 8), as the README tells an
 * operator to run them: two {@code bin/instance} processes with the same database, the same HTTPS
 * keystore and the same passwords, and three agents given both URLs. A steady load of Echo work
 * is written through both nodes; in the middle the node the agents use, which also runs the
 * singleton jobs, is killed (SIGKILL). The load goes on through the other node; at the end every
 * output has exactly one input, none is lost or doubled, the three agents are {@code Up}, and the
 * surviving node runs the singleton jobs ({@code instance:nodes} in its shell).
 */
public class TwoNodesIT {

    /** A hung test fails after this long, naming itself. */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(420);

    private static final List<String> AGENTS = List.of("two-a", "two-b", "two-c");
    private static final String KEYSTORE_PASSWORD = "two-nodes-keystore";
    private static final int LEASE_SECONDS = 20;

    private static PostgresServer pg;
    private static Path work;
    private static final List<MidwayProcess> processes = new ArrayList<>();
    private static MidwayProcess first;
    private static MidwayProcess second;
    private static Http adminFirst;
    private static Http adminSecond;

    @BeforeClass
    public static void start() throws Exception {
        String echo = System.getProperty("midway.echo.jar");
        assertTrue("system property midway.echo.jar names the echo fixture jar (set by failsafe): " + echo,
                echo != null && Files.isRegularFile(Path.of(echo)));
        pg = PostgresServer.start();
        work = TestFolders.temporary("midway-two-nodes");
        // A copy of the distribution with a short lease: a record whose poll answer died with the
        // killed node is handed out again by the surviving node's lease reaper within seconds.
        Path dist = FileSyncIT.copyDistribution(Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath(),
                work.resolve("dist"));
        Path cfg = dist.resolve("etc/io.midway.instance.cfg");
        String config = Files.readString(cfg);
        assertTrue(config, config.contains("lease.seconds = 300"));
        Files.writeString(cfg, config.replace("lease.seconds = 300", "lease.seconds = " + LEASE_SECONDS));

        // One certificate for both nodes (the agents trust it for either URL).
        Path keystore = work.resolve("instance.p12");
        Path cert = work.resolve("instance.crt");
        keytool("-genkeypair", "-alias", "instance", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", KEYSTORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "instance", "-keystore", keystore.toString(), "-storepass",
                KEYSTORE_PASSWORD, "-file", cert.toString());
        HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(cert)).connectTimeout(Duration.ofSeconds(3))
                .build();

        String adminPassword = CredentialsIT.random();
        String agentPassword = CredentialsIT.random();
        int portFirst = Ports.free();
        int portSecond = Ports.free();
        Map<String, String> node = new HashMap<>();
        node.put("MIDWAY_DB_URL", pg.jdbcUrl());
        node.put("MIDWAY_DB_USER", pg.user());
        node.put("MIDWAY_DB_PASSWORD", pg.password());
        node.put("MIDWAY_HTTPS_KEYSTORE", keystore.toString());
        node.put("MIDWAY_HTTPS_KEYSTORE_PASSWORD", KEYSTORE_PASSWORD);
        // the same passwords on both nodes (a node makes its own when none is given)
        node.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        node.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        node.put("MIDWAY_HEARTBEAT_SECONDS", "5");

        first = startNode(dist, node, "first", portFirst);
        adminFirst = new Http("https://localhost:" + portFirst, "admin", adminPassword, trusting);
        Wait.until(AgentAndInstance.STARTUP, "the first node", () -> adminFirst.get("/api/mid/instance_info").statusCode() == 200,
                first);
        // the first node takes the singleton jobs; the second starts after it (in a terminal, for its shell)
        Wait.until(Duration.ofSeconds(30), "the first node running the singleton jobs",
                () -> first.output().contains("took the singleton jobs") || Files.readString(work.resolve("first/instance.log"))
                        .contains("took the singleton jobs"), first);
        // one credential master key for both nodes (each would make its own), as the README says
        Files.createDirectories(work.resolve("second"));
        Files.copy(work.resolve("first/credentials.key"), work.resolve("second/credentials.key"),
                java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        second = startNode(dist, node, "second", portSecond);
        adminSecond = new Http("https://localhost:" + portSecond, "admin", adminPassword, trusting);
        Wait.until(AgentAndInstance.STARTUP, "the second node", () -> adminSecond.get("/api/mid/instance_info").statusCode() == 200,
                second);

        for (String name : AGENTS) {
            Path data = work.resolve("agent-" + name);
            Files.createDirectories(data.resolve("deploy"));
            Files.copy(Path.of(echo), data.resolve("deploy").resolve("echo.jar"));
            Map<String, String> env = new HashMap<>();
            env.put("MIDWAY_AGENT_NAME", name);
            env.put("MIDWAY_DATA", data.toString());
            env.put("MIDWAY_HTTP_PORT", Integer.toString(Ports.free()));
            env.put("MIDWAY_INSTANCE_URL", "https://localhost:" + portFirst + ",https://localhost:" + portSecond);
            env.put("MIDWAY_INSTANCE_CERT", cert.toString());
            env.put("MIDWAY_AGENT_PASSWORD", agentPassword);
            env.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
            processes.add(MidwayProcess.start(dist, "agent", env, work.resolve("agent-" + name + ".log"), false));
        }
        Wait.until(AgentAndInstance.STARTUP, "three agents Up", () -> agentsUp(adminSecond) == AGENTS.size(), first, second);
    }

    private static MidwayProcess startNode(Path dist, Map<String, String> common, String name, int port) throws Exception {
        Map<String, String> env = new HashMap<>(common);
        env.put("MIDWAY_HTTPS_PORT", Integer.toString(port));
        env.put("MIDWAY_DATA", work.resolve(name).toString());
        MidwayProcess p = MidwayProcess.start(dist, "instance", env, work.resolve(name + ".out"), true);
        processes.add(p);
        return p;
    }

    @AfterClass
    public static void stop() throws Exception {
        for (MidwayProcess p : processes) {
            p.close();
        }
        if (pg != null) {
            pg.close();
        }
        if (work != null) {
            FileSyncIT.deleteTree(work.resolve("dist"));
        }
    }

    private static int agentsUp(Http admin) throws Exception {
        int up = 0;
        for (JsonNode a : admin.json("/api/now/table/ecc_agent").path("result")) {
            if (AGENTS.contains(a.path("name").asText()) && "Up".equals(a.path("status").asText())) {
                up++;
            }
        }
        return up;
    }

    @Test
    public void aNodeKilledUnderLoadLosesAndDoublesNothingAndTheOtherTakesOverTheJobs() throws Exception {
        // before: two nodes alive, and the first (not this shell's node) runs the jobs
        String before = nodes(out -> out.contains("2 nodes alive") && holder(out) != null);
        assertTrue("the first node runs the jobs, not this one:\n" + before, !holder(before).contains("(this)"));

        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger batches = new AtomicInteger();
        AtomicInteger failedPosts = new AtomicInteger();
        Thread load = new Thread(() -> {
            int item = 0;
            while (loading.get()) {
                ArrayNode batch = Http.JSON.createArrayNode();
                for (int i = 0; i < 6; i++, item++) {
                    ObjectNode r = batch.addObject();
                    r.put("agent", "mid.server." + AGENTS.get(item % AGENTS.size())).put("topic", "Echo")
                            .put("name", "item " + item);
                    r.putObject("payload").put("item", item);
                }
                // through both nodes in turn; through the other when one does not answer
                Http[] order = batches.incrementAndGet() % 2 == 0 ? new Http[] {adminFirst, adminSecond}
                        : new Http[] {adminSecond, adminFirst};
                for (Http node : order) {
                    try {
                        HttpResponse<String> created = node.send("POST", "/api/now/table/ecc_queue", batch.toString());
                        if (created.statusCode() == 201) {
                            for (JsonNode r : Http.parse(created).path("result")) {
                                acknowledged.add(r.path("sys_id").asText());
                            }
                            break;
                        }
                        failedPosts.incrementAndGet();
                    } catch (Exception e) {
                        failedPosts.incrementAndGet();
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "two-nodes-load");
        load.setDaemon(true);
        load.start();

        Wait.until(Duration.ofSeconds(60), "the agents answering the load", () -> answered() >= 100, first, second);
        first.kill();
        int answeredAtTheKill = answered();
        Thread.sleep(15_000);
        loading.set(false);
        load.join(30_000);
        assertTrue("the load went on after the kill: " + acknowledged.size() + " items",
                acknowledged.size() > answeredAtTheKill + 100);

        Wait.until(Duration.ofSeconds(120), "every output answered", () -> unanswered() == 0, second);
        List<List<Object>> doubled = pg.query("SELECT response_to, COUNT(*) FROM ecc_queue WHERE queue = 'input' "
                + "AND topic = 'Echo' GROUP BY response_to HAVING COUNT(*) > 1");
        assertEquals("no output answered twice", List.of(), doubled);
        long outputs = (Long) pg.query("SELECT COUNT(*) FROM ecc_queue WHERE queue = 'output' AND topic = 'Echo'").get(0).get(0);
        long inputs = (Long) pg.query("SELECT COUNT(*) FROM ecc_queue WHERE queue = 'input' AND topic = 'Echo'").get(0).get(0);
        assertEquals("one input per output", outputs, inputs);
        List<List<Object>> notProcessed = pg.query("SELECT sys_id, state FROM ecc_queue WHERE topic = 'Echo' "
                + "AND state <> 'processed'");
        assertEquals("every output and input processed", List.of(), notProcessed);
        Set<String> answeredOutputs = ConcurrentHashMap.newKeySet();
        for (List<Object> row : pg.query("SELECT response_to FROM ecc_queue WHERE queue = 'input' AND topic = 'Echo'")) {
            answeredOutputs.add((String) row.get(0));
        }
        Set<String> lost = new java.util.TreeSet<>(acknowledged);
        lost.removeAll(answeredOutputs);
        assertEquals("every acknowledged output answered (" + acknowledged.size() + ")", Set.of(), lost);

        Wait.until(Duration.ofSeconds(60), "three agents Up on the surviving node", () -> agentsUp(adminSecond) == AGENTS.size(),
                second);
        // the surviving node runs the singleton jobs; the killed one shows as gone
        String after = nodes(out -> out.contains("1 node alive, 1 gone") && holder(out) != null);
        assertTrue("this node runs the jobs now:\n" + after, holder(after).contains("(this)"));
        assertTrue(after, lines(after).stream().anyMatch(l -> l.matches("\\w{8}\\s.*\\sgone\\s+-")));
        String log = Files.readString(work.resolve("second/instance.log"));
        assertTrue("the surviving node logged taking the jobs", log.contains("took the singleton jobs"));
        assertTrue("the nodes share one credential master key", !log.contains("The credential master key"));
    }

    /** {@code instance:nodes} in the second node's shell, until its output satisfies {@code done}. */
    private static String nodes(java.util.function.Predicate<String> done) throws Exception {
        String[] out = new String[1];
        Wait.until(Duration.ofSeconds(90), "instance:nodes showing what is expected", () -> {
            out[0] = String.join("\n", second.shell("instance:nodes", o -> true, Duration.ofSeconds(20)));
            return done.test(out[0]);
        }, second);
        return out[0];
    }

    private static List<String> lines(String out) {
        return out.lines().map(String::strip).toList();
    }

    /** @return the line of {@code instance:nodes} of the node that runs the jobs, or {@code null} */
    private static String holder(String out) {
        return lines(out).stream().filter(l -> l.matches("\\w{8}\\s.*\\salive\\s+yes")).findFirst().orElse(null);
    }

    private static int answered() {
        return ((Long) pg.query("SELECT COUNT(*) FROM ecc_queue WHERE queue = 'input' AND topic = 'Echo'").get(0).get(0))
                .intValue();
    }

    private static long unanswered() {
        return (Long) pg.query("SELECT COUNT(*) FROM ecc_queue o WHERE o.queue = 'output' AND o.topic = 'Echo' "
                + "AND NOT EXISTS (SELECT 1 FROM ecc_queue i WHERE i.queue = 'input' AND i.response_to = o.sys_id)")
                .get(0).get(0);
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue("keytool " + args[0] + " finished", p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("keytool " + String.join(" ", args) + ": " + out, 0, p.exitValue());
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            trust.setCertificateEntry("midway", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
