package io.midway.itests;

import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

/**
 * The operator's Gogo commands ({@code mid:} scope), run through the shell's
 * {@link CommandProcessor} as a console session would, checked against what the instance reports.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellCommandsIT {

    @Inject
    private BundleContext context;

    @Inject
    private CommandProcessor shell;

    private MidwayFramework midway;
    private CommandSession session;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    /** @return the framework: instance and agent together */
    @Configuration
    public Option[] configuration() {
        return MidwayExamOptions.agentAndInstance("itest-shell");
    }

    @Before
    public void openSession() {
        midway = new MidwayFramework(context);
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        session = shell.createSession(new ByteArrayInputStream(new byte[0]), out, out);
        midway.awaitAgentUp();
    }

    @After
    public void closeSession() {
        session.close();
    }

    @Test
    public void statusShowsTheAgentUp() {
        String status = Await.until("mid:status to show agent " + midway.agentName() + " Up",
                () -> run("mid:status"),
                text -> text.contains(midway.agentName()) && text.matches("(?s).*\\bUp\\b.*"));
        assertTrue(status, status.contains(midway.agentName()));
    }

    @Test
    public void pauseAndResumeChangeTheStatusTheInstanceReports() throws Exception {
        try {
            String paused = run("mid:pause");
            assertTrue("mid:pause answered: " + paused, paused.toLowerCase().contains("paus"));
            midway.awaitAgentStatus("Paused");
            Await.until("mid:status to show Paused", () -> run("mid:status"), text -> text.contains("Paused"));
        } finally {
            String resumed = run("mid:resume");
            assertTrue("mid:resume answered: " + resumed, resumed.toLowerCase().contains("resume"));
        }
        midway.awaitAgentStatus("Up");
        Await.until("mid:status to show Up again", () -> run("mid:status"),
                text -> text.matches("(?s).*\\bUp\\b.*") && !text.contains("Paused"));
    }

    @Test
    public void midCleanRemovesAnOldRotatedLogAndMidStatusShowsTheRun() throws Exception {
        // after the run at start (15 s after activation), so that mid:clean is what removes the file
        Await.until("the File Cleaner's run at start in mid:status", () -> run("mid:status"),
                text -> text.contains("(start):"));
        java.nio.file.Path data = java.nio.file.Path.of(context.getProperty(MidwayExamOptions.DATA));
        java.nio.file.Path beyond = data.resolve("itest.log.17");
        java.nio.file.Path recent = data.resolve("itest.log.18");
        java.nio.file.Files.write(beyond, new byte[321]);
        java.nio.file.Files.write(recent, new byte[5]);
        java.nio.file.Files.setLastModifiedTime(beyond, java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofDays(30))));

        String cleaned = run("mid:clean");
        assertTrue(cleaned, cleaned.contains("removed itest.log.17 (321 bytes, log)"));
        assertTrue(cleaned, cleaned.contains("File cleaner: removed 1 files, freed 321 bytes"));
        assertTrue(!java.nio.file.Files.exists(beyond));
        assertTrue(java.nio.file.Files.exists(recent));

        String status = run("mid:status");
        assertTrue(status, status.contains("File cleaner  on (removes unused files older than 7 days, every 24 h)"));
        assertTrue(status, status.matches("(?s).*Last clean    \\S+ \\(command\\): 1 files removed, 321 bytes freed.*"));
    }

    /** Runs a command line as an operator would and returns what it printed and returned. */
    private String run(String commandLine) throws Exception {
        console.reset();
        Object result = session.execute(commandLine);
        session.getConsole().flush();
        String printed = console.toString(StandardCharsets.UTF_8);
        return printed + (result == null ? "" : session.format(result, Converter.INSPECT));
    }
}
