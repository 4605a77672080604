package io.midway.instance.store.sql;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL of one database engine, in one place: statements by key, and the numbered schema
 * migrations (issue 15). Read from {@code common.sql}, the SQL every engine shares, overlaid by
 * {@code <dialect>.sql}, the engine's own: a section of the same name replaces the common one.
 *
 * <p>A file is a list of sections, each headed by a line {@code -- [name]} and running to the next
 * header; lines starting with {@code --} inside a section are comments. A section
 * {@code migration N} (N = 1, 2, …) holds the statements that bring the schema from version N-1 to
 * N, each ended by {@code ;} at the end of a line; every other section is one statement, which may
 * refer to another section as {@code ${name}} (e.g. a column list).
 */
public final class Statements {

    private static final Pattern HEADER = Pattern.compile("^--\\s*\\[([A-Za-z0-9_. -]+)]\\s*$");
    private static final Pattern MIGRATION = Pattern.compile("migration (\\d+)");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)}");

    private final String dialect;
    private final Map<String, String> statements;
    private final Map<Integer, List<String>> migrations;

    private Statements(String dialect, Map<String, String> statements, Map<Integer, List<String>> migrations) {
        this.dialect = dialect;
        this.statements = statements;
        this.migrations = migrations;
    }


    /**
     * @param engine a class of the engine's bundle: its {@code <dialect>.sql} is the resource of
     *     that name in the class's package
     * @param dialect the engine, e.g. {@code postgresql}: its SQL is read over {@code common.sql}
     * @return its statements and migrations
     * @throws IllegalStateException when a file is missing or malformed (a bug of the build, not of the user)
     */
    public static Statements load(Class<?> engine, String dialect) {
        Map<String, String> sections = new LinkedHashMap<>(sections(read(Statements.class, "common.sql")));
        sections.putAll(sections(read(engine, dialect + ".sql")));
        Map<String, String> statements = new LinkedHashMap<>();
        Map<Integer, List<String>> migrations = new TreeMap<>();
        for (Map.Entry<String, String> e : sections.entrySet()) {
            Matcher m = MIGRATION.matcher(e.getKey());
            if (m.matches()) {
                migrations.put(Integer.parseInt(m.group(1)), split(e.getKey(), e.getValue()));
            }
        }
        for (String name : sections.keySet()) {
            if (!MIGRATION.matcher(name).matches()) {
                statements.put(name, resolve(name, sections, new ArrayList<>()));
            }
        }
        int expected = 1;
        for (int version : migrations.keySet()) {
            if (version != expected++) {
                throw new IllegalStateException(dialect + ".sql: migrations must be numbered 1, 2, 3 … without gaps; "
                        + "found " + migrations.keySet());
            }
        }
        return new Statements(dialect, Collections.unmodifiableMap(statements), Collections.unmodifiableMap(migrations));
    }

    /** @return the engine these statements are for */
    public String dialect() {
        return dialect;
    }

    /**
     * @param key a statement's name
     * @return its SQL
     * @throws IllegalStateException when there is none (a bug: every key the code uses must exist)
     */
    public String get(String key) {
        String sql = statements.get(key);
        if (sql == null) {
            throw new IllegalStateException("no SQL statement '" + key + "' for " + dialect);
        }
        return sql;
    }

    /** @return the names of every statement */
    public Set<String> keys() {
        return statements.keySet();
    }

    /** @return the schema version the migrations bring a database to (the highest N) */
    public int schemaVersion() {
        return migrations.isEmpty() ? 0 : Collections.max(migrations.keySet());
    }

    /**
     * @param version a schema version, 1 or more
     * @return the statements that bring the schema from {@code version - 1} to it
     */
    public List<String> migration(int version) {
        List<String> m = migrations.get(version);
        if (m == null) {
            throw new IllegalArgumentException("no migration " + version + " for " + dialect);
        }
        return m;
    }

    private static String read(Class<?> anchor, String file) {
        try (InputStream in = anchor.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("SQL file " + file + " is missing from the bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read SQL file " + file + ": " + e.getMessage(), e);
        }
    }

    static Map<String, String> sections(String text) {
        Map<String, String> sections = new LinkedHashMap<>();
        String name = null;
        StringBuilder body = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            Matcher header = HEADER.matcher(line.strip());
            if (header.matches()) {
                if (name != null) {
                    sections.put(name, body.toString().strip());
                }
                name = header.group(1).strip();
                if (sections.containsKey(name)) {
                    throw new IllegalStateException("SQL section [" + name + "] appears twice in one file");
                }
                body.setLength(0);
            } else if (name != null && !line.strip().startsWith("--")) {
                body.append(line.strip()).append('\n');
            }
        }
        if (name != null) {
            sections.put(name, body.toString().strip());
        }
        return sections;
    }

    private static List<String> split(String name, String body) {
        List<String> out = new ArrayList<>();
        StringBuilder statement = new StringBuilder();
        for (String line : body.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            statement.append(statement.length() == 0 ? "" : " ").append(line.strip());
            if (line.strip().endsWith(";")) {
                statement.setLength(statement.length() - 1);
                out.add(statement.toString().strip());
                statement.setLength(0);
            }
        }
        if (statement.length() > 0) {
            throw new IllegalStateException("[" + name + "]: the last statement does not end with ';'");
        }
        return List.copyOf(out);
    }

    private static String resolve(String name, Map<String, String> sections, List<String> path) {
        if (path.contains(name)) {
            throw new IllegalStateException("SQL sections refer to each other in a circle: " + path + " -> " + name);
        }
        String body = sections.get(name);
        if (body == null) {
            throw new IllegalStateException("SQL section " + path.get(path.size() - 1) + " refers to ${" + name
                    + "}, which does not exist");
        }
        path.add(name);
        Matcher m = REFERENCE.matcher(body);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(resolve(m.group(1), sections, path)));
        }
        m.appendTail(out);
        path.remove(path.size() - 1);
        return out.toString().replace('\n', ' ').replaceAll(" +", " ").strip();
    }
}
