package io.midway.testing.servers;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The one list of the programs the tests run (.ci/test-programs.txt), and the look-up through it. */
public class TestProgramsTest {

    /** A program named as a literal where a test or fixture runs or looks it up. */
    private static final Pattern ASKED = Pattern.compile(
            "(?:\\bbinary|TestPrograms\\.(?:path|find|entry|missing)|new ProcessBuilder)\\(\\s*\"([^\"]+)\"");

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void everyProgramATestAsksForIsInTheList() throws IOException {
        Path root = repositoryRoot();
        Set<String> asked = new TreeSet<>();
        List<Path> sources;
        try (Stream<Path> walk = Files.walk(root)) {
            sources = walk.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
                    .filter(p -> p.toString().contains("/src/test/") || p.toString().contains("io.midway.testing.servers/src/main/"))
                    .filter(p -> !p.getFileName().toString().equals("TestProgramsTest.java"))
                    .collect(Collectors.toList());
        }
        for (Path source : sources) {
            Matcher m = ASKED.matcher(Files.readString(source, StandardCharsets.UTF_8));
            while (m.find()) {
                asked.add(m.group(1));
            }
        }
        // the fixtures' own programs are found this way, so an empty result would mean the scan is broken
        assertTrue("the scan finds the fixtures' programs: " + asked, asked.containsAll(List.of("snmpd", "sshd", "initdb", "snmpget")));
        Set<String> listed = TestPrograms.all().stream().map(TestPrograms.Program::name).collect(Collectors.toSet());
        Set<String> unlisted = new TreeSet<>(asked);
        unlisted.removeAll(listed);
        assertEquals("programs the tests run that " + TestPrograms.LIST + " does not list (add each with its Debian package)",
                Set.of(), unlisted);
    }

    @Test
    public void theListInTheJarIsTheOneInTheRepository() throws IOException {
        Map<String, TestPrograms.Program> inRepository = TestPrograms.parse(
                Files.readAllLines(repositoryRoot().resolve(TestPrograms.LIST), StandardCharsets.UTF_8));
        assertEquals(List.copyOf(inRepository.values()), TestPrograms.all());
    }

    @Test
    public void theListNamesTheServersAndClientsAFreshMachineLacks() {
        assertEquals("snmp", TestPrograms.entry("snmpget").debianPackage());
        assertEquals("snmpd", TestPrograms.entry("snmpd").debianPackage());
        assertEquals("openssh-server", TestPrograms.entry("sshd").debianPackage());
        assertEquals("openssh-client", TestPrograms.entry("ssh-keygen").debianPackage());
        assertEquals("postgresql", TestPrograms.entry("initdb").debianPackage());
        assertEquals(List.of("/usr/lib/postgresql/*/bin/initdb"), TestPrograms.entry("initdb").where());
        assertEquals("bsdutils", TestPrograms.entry("script").debianPackage());
    }

    /** What .ci/run installs is all there: a machine that lacks one fails here, naming the package. */
    @Test
    public void everyListedProgramIsInstalled() {
        List<String> missing = new ArrayList<>();
        for (TestPrograms.Program program : TestPrograms.all()) {
            if (TestPrograms.find(program.name()).isEmpty()) {
                missing.add(program.name() + " (Debian package " + program.debianPackage() + ")");
            }
        }
        if (!missing.isEmpty()) {
            fail("not installed: " + String.join(", ", missing) + "; run .ci/run, which installs them from " + TestPrograms.LIST);
        }
    }

    @Test
    public void aMissingProgramFailsAtOnceNamingItsPackage() {
        TestPrograms.Program absent = new TestPrograms.Program("midway-absent-program", "midway-absent-package",
                List.of(temp.getRoot() + "/*/bin/midway-absent-program"), "this test");
        long started = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TestPrograms.path(absent));
        assertTrue("at once", System.nanoTime() - started < 1_000_000_000L);
        assertTrue(e.getMessage(), e.getMessage().startsWith("midway-absent-program is not installed"));
        assertTrue(e.getMessage(), e.getMessage().contains("install the Debian package 'midway-absent-package'"));
        assertTrue(e.getMessage(), e.getMessage().contains(".ci/run"));
    }

    @Test
    public void aProgramMissingFromTheListIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExternalServer.binary("midway-unlisted"));
        assertTrue(e.getMessage(), e.getMessage().contains("'midway-unlisted' is not in .ci/test-programs.txt"));
    }

    @Test
    public void theMissingMessageOfARealEntryNamesItsPackage() {
        String message = TestPrograms.missing("snmpget");
        assertTrue(message, message.contains("install the Debian package 'snmp' (apt-get install snmp)"));
        assertTrue(message, message.contains("SnmpDaemonTest"));
    }

    @Test
    public void aGlobFindsTheNewestVersionFirstAndOnlyExecutables() throws IOException {
        Path root = temp.getRoot().toPath();
        Path v9 = executable(root.resolve("9/bin/tool"));
        Path v15 = executable(root.resolve("15/bin/tool"));
        Files.createDirectories(root.resolve("16/bin"));
        Files.writeString(root.resolve("16/bin/tool"), "not executable");
        assertEquals(List.of(v15, v9), TestPrograms.expand(root + "/*/bin/tool"));
        TestPrograms.Program tool = new TestPrograms.Program("tool", "tool-package", List.of(root + "/*/bin/tool"), "this test");
        assertEquals(v15, TestPrograms.path(tool));
    }

    @Test
    public void malformedAndRepeatedLinesAreRejected() {
        assertThrows(IllegalStateException.class, () -> TestPrograms.parse(List.of("snmpget snmp")));
        assertThrows(IllegalStateException.class, () -> TestPrograms.parse(List.of("a p - x", "a q - y")));
        assertThrows(IllegalStateException.class, () -> TestPrograms.parse(List.of("a p relative/a x")));
        Map<String, TestPrograms.Program> ok = TestPrograms.parse(List.of("# comment", "", "a  p  /x/a:/y/*/a  used by a test"));
        assertEquals(new TestPrograms.Program("a", "p", List.of("/x/a", "/y/*/a"), "used by a test"), ok.get("a"));
        assertFalse(ok.containsKey("#"));
    }

    private static Path executable(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** @return the source tree's root: the folder with {@code .ci/test-programs.txt}, above this module */
    static Path repositoryRoot() {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(TestPrograms.LIST))) {
                return dir;
            }
        }
        throw new IllegalStateException("no " + TestPrograms.LIST + " above " + Paths.get("").toAbsolutePath());
    }
}
