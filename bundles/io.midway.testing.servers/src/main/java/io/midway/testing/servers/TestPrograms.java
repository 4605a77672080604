package io.midway.testing.servers;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The programs the tests run, each with its Debian package, read from {@code .ci/test-programs.txt}
 * (carried in this jar as a resource; {@code .ci/run} installs from the same file). A test asks for a
 * program by name and gets its absolute path, or fails at once with a message naming the package to
 * install; a name that is not in the list is refused, so the list cannot fall behind the tests.
 *
 * <pre>
 * Path snmpget = TestPrograms.path("snmpget"); // or: snmpget is not installed ... install the Debian package 'snmp'
 * </pre>
 */
public final class TestPrograms {

    /** Where the list lives in the source tree, for messages. */
    public static final String LIST = ".ci/test-programs.txt";

    /** The resource name of the list inside this jar. */
    static final String RESOURCE = "test-programs.txt";

    private static final Map<String, Program> PROGRAMS = load();

    private TestPrograms() {
    }

    /**
     * One line of the list.
     *
     * @param name the program's file name, looked up on the PATH, {@code /usr/sbin} and {@code /usr/bin}
     * @param debianPackage the Debian package that provides it
     * @param where absolute path globs tried first (e.g. {@code /usr/lib/postgresql/*}{@code /bin/initdb}), maybe none
     * @param usedBy which tests run it, and why
     */
    public record Program(String name, String debianPackage, List<String> where, String usedBy) {
    }

    /** @return every program of the list, in its order */
    public static List<Program> all() {
        return List.copyOf(PROGRAMS.values());
    }

    /**
     * @param program a program name
     * @return the list's entry for it
     * @throws IllegalArgumentException when the program is not in the list
     */
    public static Program entry(String program) {
        Program entry = PROGRAMS.get(program);
        if (entry == null) {
            throw new IllegalArgumentException("'" + program + "' is not in " + LIST + ": add a line for it with its Debian package, "
                    + "so that .ci/run installs it and a machine without it fails naming the package");
        }
        return entry;
    }

    /**
     * Finds a program of the list: first where its line says (newest version first when a glob
     * matches several), then on the PATH, in {@code /usr/sbin} and in {@code /usr/bin}.
     *
     * @param program a program name of the list, e.g. {@code snmpget}
     * @return its absolute path, when installed
     * @throws IllegalArgumentException when the program is not in the list
     */
    public static Optional<Path> find(String program) {
        return find(entry(program));
    }

    static Optional<Path> find(Program entry) {
        for (String glob : entry.where()) {
            List<Path> matches = expand(glob);
            if (!matches.isEmpty()) {
                return Optional.of(matches.get(0));
            }
        }
        List<Path> folders = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String folder : path.split(File.pathSeparator)) {
                if (!folder.isEmpty()) {
                    folders.add(Paths.get(folder));
                }
            }
        }
        folders.add(Paths.get("/usr/sbin"));
        folders.add(Paths.get("/usr/bin"));
        for (Path folder : folders) {
            Path candidate = folder.resolve(entry.name());
            if (executable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /**
     * @param program a program name of the list, e.g. {@code snmpget}
     * @return its absolute path
     * @throws IllegalStateException when it is not installed, naming the Debian package to install
     * @throws IllegalArgumentException when the program is not in the list
     */
    public static Path path(String program) {
        return path(entry(program));
    }

    static Path path(Program entry) {
        return find(entry).orElseThrow(() -> new IllegalStateException(missing(entry)));
    }

    /**
     * @param program a program name of the list
     * @return the message for a machine that lacks it: what to install, and that {@code .ci/run} does it
     */
    public static String missing(String program) {
        return missing(entry(program));
    }

    static String missing(Program entry) {
        return entry.name() + " is not installed, and this test runs it (" + entry.usedBy() + "): install the Debian package '"
                + entry.debianPackage() + "' (apt-get install " + entry.debianPackage() + "), or run .ci/run, which installs "
                + "every program listed in " + LIST + ".";
    }

    private static boolean executable(Path file) {
        return Files.isRegularFile(file) && Files.isExecutable(file);
    }

    /** Expands an absolute glob whose wildcards are in file names only, newest version first. */
    static List<Path> expand(String glob) {
        List<Path> current = List.of(Paths.get("/"));
        for (Path part : Paths.get(glob)) {
            String name = part.toString();
            List<Path> next = new ArrayList<>();
            for (Path folder : current) {
                if (name.contains("*") || name.contains("?") || name.contains("[")) {
                    if (!Files.isDirectory(folder)) {
                        continue;
                    }
                    try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder, name)) {
                        stream.forEach(next::add);
                    } catch (IOException e) {
                        // an unreadable folder holds nothing we can run
                    }
                } else {
                    next.add(folder.resolve(name));
                }
            }
            next.sort(TestPrograms::newestFirst);
            current = next;
        }
        List<Path> found = new ArrayList<>();
        for (Path candidate : current) {
            if (executable(candidate)) {
                found.add(candidate);
            }
        }
        return Collections.unmodifiableList(found);
    }

    /** Orders {@code .../15/bin} before {@code .../9/bin}: digit runs compare as numbers, descending. */
    private static int newestFirst(Path a, Path b) {
        return VERSION_ORDER.compare(b.toString(), a.toString());
    }

    private static final Pattern DIGITS = Pattern.compile("\\d+|\\D+");

    private static final Comparator<String> VERSION_ORDER = (a, b) -> {
        Matcher ma = DIGITS.matcher(a);
        Matcher mb = DIGITS.matcher(b);
        while (ma.find() && mb.find()) {
            String x = ma.group();
            String y = mb.group();
            boolean numbers = Character.isDigit(x.charAt(0)) && Character.isDigit(y.charAt(0));
            int c = numbers ? numberOrder(x, y) : x.compareTo(y);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.length(), b.length());
    };

    /** Compares two runs of digits as numbers of any length. */
    private static int numberOrder(String x, String y) {
        String a = x.replaceFirst("^0+(?=.)", "");
        String b = y.replaceFirst("^0+(?=.)", "");
        return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }

    /**
     * Parses the list: one program a line, {@code program package where used-by...}; {@code #}
     * starts a comment line; {@code where} is {@code -} or absolute globs separated by {@code :}.
     *
     * @param lines the file's lines
     * @return the programs by name, in file order
     * @throws IllegalStateException on a malformed or repeated line
     */
    static Map<String, Program> parse(List<String> lines) {
        Map<String, Program> programs = new LinkedHashMap<>();
        int number = 0;
        for (String line : lines) {
            number++;
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String[] fields = text.split("\\s+", 4);
            if (fields.length < 4) {
                throw new IllegalStateException(LIST + " line " + number + ": expected 'program package where used-by', got: " + line);
            }
            List<String> where = new ArrayList<>();
            if (!fields[2].equals("-")) {
                for (String glob : fields[2].split(":")) {
                    if (!glob.startsWith("/")) {
                        throw new IllegalStateException(LIST + " line " + number + ": '" + glob + "' is not an absolute path");
                    }
                    where.add(glob);
                }
            }
            if (programs.put(fields[0], new Program(fields[0], fields[1], List.copyOf(where), fields[3])) != null) {
                throw new IllegalStateException(LIST + " line " + number + ": " + fields[0] + " is listed twice");
            }
        }
        return Collections.unmodifiableMap(programs);
    }

    private static Map<String, Program> load() {
        try (InputStream in = TestPrograms.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + RESOURCE + " (a copy of " + LIST + ") is missing from io.midway.testing.servers");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
