package io.midway.instance.store;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.instance.store.sql.Statements;

/**
 * The store's SQL by key: every statement is valid for its engine (prepared on a database the
 * migrations made), every key the code asks for exists (a typo fails here, not in a user's
 * request), no statement is left unused, and rows are read by column name.
 */
public class StoreStatementsTest {

    /** The sources of the store and its engines, beside this module (surefire runs in the module's folder). */
    private static final List<Path> SOURCES = List.of("io.midway.instance.store", "io.midway.instance.store.h2",
            "io.midway.instance.store.postgresql").stream()
            .map(b -> Path.of(System.getProperty("basedir", ".")).resolve("..").resolve(b).resolve("src/main/java")
                    .normalize())
            .toList();
    private static final Pattern STRING_LITERAL = Pattern.compile("\"([^\"]*)\"");
    private static final Pattern ANY_GET = Pattern.compile("(?i)\\bsql\\.get\\(");
    private static final Pattern BY_POSITION = Pattern.compile("\\.get(String|Long|Int|Boolean|Object|Bytes|Timestamp"
            + "|Double|Clob|Array)\\(\\s*\\d");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** Column lists and the page clause are parts of statements, not statements. */
    private static boolean isFragment(String key) {
        return key.endsWith(".columns") || key.equals("table.page");
    }

    @Test
    public void everyStatementOfTheH2EnginePreparesOnAFreshDatabase() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("db");
        io.midway.instance.store.h2.H2Engine.open(dir).close();
        Statements h2 = Statements.load(io.midway.instance.store.h2.H2Engine.class, "h2");
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("instance"));
        ds.setUser("sa");
        ds.setPassword("");
        List<String> failures = new ArrayList<>();
        int prepared = 0;
        try (Connection c = ds.getConnection()) {
            for (String key : h2.keys()) {
                String sql = key.equals("table.page") ? h2.get("queue.query") + " ORDER BY seq " + h2.get(key)
                        : h2.get(key);
                if (sql.contains("SELECT *")) {
                    failures.add("[" + key + "] selects *: name the columns, rows are read by name");
                }
                if (key.endsWith(".columns")) {
                    continue; // prepared inside every statement that uses it
                }
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    prepared++;
                } catch (SQLException e) {
                    failures.add("[" + key + "] " + e.getMessage());
                }
            }
        }
        assertEquals("statements that do not prepare on H2:\n" + String.join("\n", failures), List.of(), failures);
        assertTrue("the store has its statements (" + prepared + ")", prepared > 80);
    }

    @Test
    public void aMistypedStatementFailsToPrepare() throws Exception {
        // the check above is worth something only if a wrong column or table fails a prepare
        Path dir = tmp.getRoot().toPath().resolve("db");
        io.midway.instance.store.h2.H2Engine.open(dir).close();
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("instance"));
        ds.setUser("sa");
        try (Connection c = ds.getConnection()) {
            for (String wrong : List.of("SELECT sys_idd FROM ecc_queue", "SELECT sys_id FROM ecc_queues")) {
                try (PreparedStatement ps = c.prepareStatement(wrong)) {
                    fail("prepared: " + wrong);
                } catch (SQLException expected) {
                    // the database knows its tables and columns at prepare time
                }
            }
        }
    }

    @Test
    public void everyKeyTheStoreUsesExistsAndEveryStatementIsUsed() throws IOException {
        Statements h2 = Statements.load(io.midway.instance.store.h2.H2Engine.class, "h2");
        Statements postgresql = Statements.load(io.midway.instance.store.postgresql.PostgresEngine.class, "postgresql");
        Set<String> used = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (Path file : sources()) {
            // an engine's own code asks its own SQL; the store's asks every engine's
            List<Statements> engines = file.toString().contains("io.midway.instance.store.postgresql") ? List.of(postgresql)
                    : file.toString().contains("io.midway.instance.store.h2") ? List.of(h2) : List.of(h2, postgresql);
            String text = Files.readString(file);
            Matcher call = ANY_GET.matcher(text);
            while (call.find()) {
                String argument = argument(text, call.end());
                List<String> keys = STRING_LITERAL.matcher(argument).results().map(r -> r.group(1)).toList();
                if (keys.isEmpty()) {
                    problems.add(file.getFileName() + " asks for a statement by a computed key (" + argument
                            + "): keys must be literals so this test sees them");
                }
                for (String key : keys) {
                    used.add(key);
                    for (Statements engine : engines) {
                        if (!engine.keys().contains(key)) {
                            problems.add(file.getFileName() + " asks for [" + key + "], which " + engine.dialect()
                                    + ".sql/common.sql lack");
                        }
                    }
                }
            }
        }
        for (Statements engine : List.of(h2, postgresql)) {
            for (String key : engine.keys()) {
                if (!isFragment(key) && !used.contains(key)) {
                    problems.add("[" + key + "] of " + engine.dialect() + ".sql/common.sql is used by no code");
                }
            }
        }
        assertEquals(String.join("\n", problems), List.of(), problems);
        assertTrue(used.contains("queue.insert") && used.contains("schema.version.read") && used.contains("signals.wake"));
    }

    @Test
    public void rowsAreReadByColumnNameNotPosition() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path file : sources()) {
            // InstanceStore's schema-version read (SELECT MAX(version)) is the migration code's, not a table's rows
            if (file.getFileName().toString().equals("InstanceStore.java")) {
                continue;
            }
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (BY_POSITION.matcher(lines.get(i)).find()) {
                    problems.add(file.getFileName() + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
                if (lines.get(i).contains("SELECT *")) {
                    problems.add(file.getFileName() + ":" + (i + 1) + " selects *: " + lines.get(i).strip());
                }
            }
        }
        assertEquals("reads by position:\n" + String.join("\n", problems), List.of(), problems);
    }

    /** The text of a call's argument: from {@code start} (after its opening parenthesis) to the matching one. */
    private static String argument(String text, int start) {
        int depth = 1;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return text.substring(start, i);
            }
        }
        throw new AssertionError("unbalanced parentheses after offset " + start);
    }

    private static List<Path> sources() throws IOException {
        List<Path> java = new java.util.ArrayList<>();
        for (Path root : SOURCES) {
            assertTrue("the store's sources are at " + root.toAbsolutePath(), Files.isDirectory(root));
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(p -> p.toString().endsWith(".java")).sorted().forEach(java::add);
            }
        }
        assertTrue(java.size() > 10);
        return java;
    }
}
