package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.midway.testing.servers.TestPrograms;

/**
 * Issue 16: the instance console as an operator uses it, in a real headless Chromium (the
 * machine's Debian {@code chromium} and {@code chromium-driver}, driven by Selenium), on the real
 * bin/instance and bin/agent. Logs in to the Web Console as admin with Basic auth, opens every
 * Midway page and checks what a user sees there, filters the ECC queue by topic and sees the list
 * narrow, enqueues a TCPScan probe from the form and sees its input arrive on the record's page
 * (which reloads itself while waiting), uploads the echo bundle on File sync and sees the agent
 * apply the new revision there. A PNG of every page goes to {@code target/browser-screenshots/}.
 */
public class ConsoleBrowserIT {

    @Rule
    public final Timeout perTestLimit = Timeout.seconds(300);

    private static final String AGENT = "browser-agent";
    private static final Duration PAGE = Duration.ofSeconds(20);
    private static final Duration ANSWER = Duration.ofSeconds(60);
    private static final Path SCREENSHOTS = Path.of("target/browser-screenshots").toAbsolutePath();

    private WebDriver browser;
    private String console;
    private AgentAndInstance midway;
    private final List<String> shots = new ArrayList<>();

    @Test
    public void anOperatorUsesEveryMidwayPageInAHeadlessChromium() throws Exception {
        Path chromium = TestPrograms.path("chromium");
        Path chromedriver = TestPrograms.path("chromedriver");
        String echoJar = System.getProperty("midway.echo.jar");
        assertTrue("system property midway.echo.jar names the echo fixture jar (set by failsafe): " + echoJar,
                echoJar != null && Files.isRegularFile(Path.of(echoJar)));
        Files.createDirectories(SCREENSHOTS);
        midway = AgentAndInstance.start(AGENT, false, null);
        Path profile = Files.createTempDirectory(midway.work, "chromium-profile-");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .withLogFile(midway.work.resolve("chromedriver.log").toFile())
                .build();
        try {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(chromium.toFile());
            // Without the background-networking flags Chromium reaches out to the network at start
            // (and this machine's closed network refuses it); only 127.0.0.1 is used here.
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1400,1800", "--user-data-dir=" + profile);
            browser = new ChromeDriver(service, options);
            browser.manage().timeouts().pageLoadTimeout(PAGE);
            console = midway.instanceUrl() + "/system/console";

            logIn();
            dashboard();
            agents();
            grabLogsButton();
            String scanId = enqueueProbeAndSeeItsInput();
            eccQueueFilter(scanId);
            events();
            fileSync(Path.of(echoJar));
            upgrades();
            credentials();
            assertEquals("one screenshot per page: " + shots, 8, shots.size());
        } finally {
            try {
                if (browser != null) {
                    browser.quit();
                }
            } finally {
                try {
                    service.stop();
                } finally {
                    midway.close();
                }
            }
        }
    }

    /**
     * Basic auth with the credentials in the URL, once: Chromium keeps them for the origin, so
     * every later page and form of the console is sent with them (checked by every step below).
     */
    private void logIn() throws Exception {
        String withCredentials = console.replace("http://", "http://admin:" + midway.adminPassword() + "@") + "/dashboard";
        browser.get(withCredentials);
        awaitText("the Dashboard after logging in", "Agents page");
    }

    private void dashboard() throws Exception {
        browser.get(console + "/dashboard");
        awaitTitle("Dashboard");
        String text = awaitText("the Dashboard", "Latest events");
        assertTrue("the Dashboard counts one agent Up: " + text, Pattern.compile("\\bUp\\s+1\\b").matcher(text).find());
        assertTrue("the Dashboard shows the queue by state: " + text, text.contains("ready") && text.contains("processing"));
        assertTrue("the Dashboard's latest events show the agent coming up: " + text,
                text.contains("mid_server.up") && text.contains(AGENT));
        assertTrue("the Dashboard says it reloads itself: " + text, text.contains("reloads itself"));
        shoot("dashboard");
    }

    private void agents() throws Exception {
        browser.get(console + "/agents");
        awaitTitle("Agents");
        String text = awaitText("the Agents page", AGENT);
        WebElement badge = browser.findElement(By.cssSelector(".midway-status-up"));
        assertEquals("the agent's status badge: " + text, "Up", badge.getText().trim());
        assertTrue("the Agents page has the clusters and the selection trial: " + text,
                text.contains("New cluster") && text.contains("Try selection"));
        shoot("agents");
    }

    /**
     * The agent's Grab logs button on the Agents page enqueues a SystemCommand and lands on its
     * record, where the agent's answer (the log tail) appears.
     */
    private void grabLogsButton() throws Exception {
        browser.get(console + "/agents");
        awaitTitle("Agents");
        WebElement button = awaitElement("the Grab logs button", By.xpath(
                "//div[@class='midway-agent-control']//button[normalize-space()='Grab logs']"));
        button.click();
        String detail = awaitText("the SystemCommand record's page", "ECC record ");
        assertTrue("the record is the SystemCommand: " + detail, detail.contains("SystemCommand"));
        awaitPage("the grab_logs answer on the record's page", ANSWER, text -> {
            WebElement inputs = browser.findElement(By.id("midway-ecc-inputs"));
            return inputs.getTagName().equals("ul") && inputs.getText().contains("processed");
        });
        String inputs = browser.findElement(By.id("midway-ecc-inputs")).getText();
        assertTrue("the answer holds the agent's log: " + inputs, inputs.contains("\"command\" : \"grab_logs\"")
                && inputs.contains("Registered as '" + AGENT + "'"));
    }

    /** Enqueues a TCPScan of the instance's own (open) port from the form; its page shows the answer. */
    private String enqueueProbeAndSeeItsInput() throws Exception {
        int port = Integer.parseInt(midway.instanceUrl().replaceAll(".*:", ""));
        browser.get(console + "/ecc-queue");
        awaitTitle("ECC Queue");
        WebElement form = awaitElement("the Enqueue a probe form", By.id("midway-ecc-enqueue"));
        new Select(form.findElement(By.name("agent"))).selectByValue("mid.server." + AGENT);
        type(form.findElement(By.name("topic")), "TCPScan");
        type(form.findElement(By.name("name")), "browser-scan");
        type(form.findElement(By.name("source")), "127.0.0.1");
        new Select(form.findElement(By.name("priority"))).selectByValue("0");
        type(form.findElement(By.name("payload")), "{\"host\":\"127.0.0.1\",\"ports\":[" + port + "]}");
        form.findElement(By.cssSelector("input[type=submit]")).click();
        String detail = awaitText("the new record's page", "ECC record ");
        Matcher id = Pattern.compile("ECC record ([0-9a-f]{32})").matcher(detail);
        assertTrue("the form showed the new record: " + detail, id.find());
        // The record's page reloads itself every few seconds while no input answers it.
        String answered = awaitPage("the TCPScan's input on the record's page", ANSWER, text -> {
            WebElement inputs = browser.findElement(By.id("midway-ecc-inputs"));
            return inputs.getTagName().equals("ul") && inputs.getText().contains("processed");
        });
        String inputs = browser.findElement(By.id("midway-ecc-inputs")).getText();
        assertTrue("the scan found the instance's port open: " + inputs,
                Pattern.compile("\"open\"\\s*:\\s*\\[\\s*" + port + "\\s*\\]").matcher(inputs).find());
        assertTrue("the record's page shows its payload: " + answered,
                browser.findElement(By.id("midway-ecc-payload")).getText().contains("\"host\""));
        shoot("ecc-record");
        return id.group(1);
    }

    /** The unfiltered queue has outputs and inputs of several topics; a topic filter narrows it. */
    private void eccQueueFilter(String scanId) throws Exception {
        // A name with markup, as a record may carry: the browser must show it as text, not run it.
        String marked = "<i>browser-other</i>";
        midway.probe("NoSuchProbe", marked, Http.JSON.createObjectNode(), input -> true);
        browser.get(console + "/ecc-queue");
        int all = recordCount();
        assertTrue("the whole queue holds the scan, its input and the other probe's records: " + countText(), all >= 4);
        String list = browser.findElement(By.id("midway-ecc-records")).getText();
        assertTrue("the name with markup is shown as typed: " + list, list.contains(marked));
        assertTrue("no element was made from a record's name",
                browser.findElements(By.cssSelector("#midway-ecc-records i")).isEmpty());
        WebElement filter = awaitElement("the filter form", By.id("midway-ecc-filter"));
        type(filter.findElement(By.name("topic")), "TCPSc");
        new Select(filter.findElement(By.name("queue"))).selectByValue("output");
        filter.findElement(By.cssSelector("input[type=submit]")).click();
        awaitText("the filtered list", "topicSTARTSWITHTCPSc");
        int narrowed = recordCount();
        assertEquals("only the TCPScan output is left: " + countText(), 1, narrowed);
        List<WebElement> rows = browser.findElements(By.cssSelector("#midway-ecc-records tbody tr"));
        assertEquals("one row", 1, rows.size());
        assertEquals("the row is the scan's output", scanId, rows.get(0).getAttribute("data-sys-id"));
        assertTrue("its topic cell: " + rows.get(0).getText(), rows.get(0).getText().contains("TCPScan"));
        shoot("ecc-queue");
    }

    private void events() throws Exception {
        browser.get(console + "/events");
        awaitTitle("Events");
        String text = awaitText("the Events page", "mid_server.up");
        assertTrue("the events name the agent: " + text, text.contains(AGENT));
        List<WebElement> rows = browser.findElements(By.cssSelector("#midway-events-list tbody tr"));
        assertTrue("at least the agent's up and first sync events: " + text, rows.size() >= 2);
        shoot("events");
    }

    /** Uploads the echo bundle through the form and waits (reloading the page) until the agent applied it. */
    private void fileSync(Path echoJar) throws Exception {
        browser.get(console + "/file-sync");
        awaitTitle("File sync");
        String before = browser.findElement(By.id("midway-revision")).getText().trim();
        WebElement upload = awaitElement("the upload form", By.id("midway-upload"));
        upload.findElement(By.name("jar")).sendKeys(echoJar.toAbsolutePath().toString());
        new Select(upload.findElement(By.name("kind"))).selectByValue("probe");
        upload.findElement(By.cssSelector("button[type=submit]")).click();
        awaitPage("the echo bundle in the repository", PAGE, text -> text.contains("io.midway.testing.echo")
                && !browser.findElement(By.id("midway-revision")).getText().trim().equals(before));
        String revision = browser.findElement(By.id("midway-revision")).getText().trim();
        String row = "#midway-sync-table tr[data-agent='" + AGENT + "']";
        awaitReloading("the agent's applied revision " + revision + " on File sync", console + "/file-sync", ANSWER, () -> {
            List<WebElement> cells = browser.findElements(By.cssSelector(row + " td"));
            return cells.size() >= 4 && cells.get(2).getText().trim().equals(revision)
                    && cells.get(3).getText().trim().equals("applied");
        });
        String text = browser.findElement(By.cssSelector("#midway-file-table")).getText();
        assertTrue("the repository lists the echo bundle: " + text, text.contains("io.midway.testing.echo"));
        shoot("file-sync");
    }

    private void upgrades() throws Exception {
        browser.get(console + "/upgrades");
        awaitTitle("Upgrades");
        String text = awaitText("the Upgrades page", "Publish a core");
        String version = browser.findElement(By.id("midway-instance-version")).getText().trim();
        assertTrue("the instance version: " + text, version.matches("\\d+\\.\\d+\\.\\d+.*"));
        String agents = browser.findElement(By.id("midway-upgrade-agents")).getText();
        assertTrue("the agent runs the instance's version: " + agents, agents.contains(AGENT) && agents.contains(version));
        shoot("upgrades");
    }

    private void credentials() throws Exception {
        browser.get(console + "/credentials");
        awaitTitle("Credentials");
        String text = awaitText("the Credentials page", "New credential");
        assertTrue("the credential table and the affinity: " + text,
                !browser.findElements(By.id("midway-credential-table")).isEmpty() && text.contains("Credential affinity"));
        shoot("credentials");
    }

    // --- helpers -------------------------------------------------------------------------------

    private int recordCount() throws Exception {
        String count = awaitElement("the record count", By.id("midway-ecc-count")).getText();
        Matcher m = Pattern.compile("^(\\d+) records? match").matcher(count);
        assertTrue("the count line: " + count, m.find());
        return Integer.parseInt(m.group(1));
    }

    private String countText() {
        return browser.findElement(By.id("midway-ecc-count")).getText();
    }

    private static void type(WebElement field, String text) {
        field.clear();
        field.sendKeys(text);
    }

    /** The Web Console shows the plugin's title in the page's title and the navigation. */
    private void awaitTitle(String title) throws Exception {
        awaitPage("the page titled " + title, PAGE, text -> browser.getTitle().contains(title));
    }

    private WebElement awaitElement(String what, By by) throws Exception {
        awaitPage(what, PAGE, text -> !browser.findElements(by).isEmpty());
        return browser.findElement(by);
    }

    private String awaitText(String what, String expected) throws Exception {
        return awaitPage(what + " showing '" + expected + "'", PAGE, text -> text.contains(expected));
    }

    /**
     * Waits for the current page (which may reload itself) to meet a condition on its visible
     * text; fails with that text, the processes' logs and a screenshot.
     */
    private String awaitPage(String what, Duration timeout, Function<String, Boolean> condition) throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, timeout, Duration.ofMillis(250));
        wait.ignoring(StaleElementReferenceException.class).ignoring(NoSuchElementException.class);
        try {
            wait.until(driver -> condition.apply(bodyText()));
        } catch (TimeoutException e) {
            failWithPage(what, timeout);
        }
        return bodyText();
    }

    /** Loads the page again and again (a GET, never re-sending a form) until the condition holds. */
    private void awaitReloading(String what, String url, Duration timeout, Wait.Condition condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            browser.get(url);
            try {
                if (condition.met()) {
                    return;
                }
            } catch (StaleElementReferenceException | NoSuchElementException e) {
                // the page was being replaced: look again
            }
            if (!midway.instance.isAlive() || !midway.agent.isAlive()) {
                break;
            }
            Thread.sleep(500);
        }
        failWithPage(what, timeout);
    }

    private void failWithPage(String what, Duration timeout) throws Exception {
        String text;
        try {
            text = browser.getCurrentUrl().replaceFirst("//[^/@]*@", "//") + "\n" + bodyText();
        } catch (RuntimeException e) {
            text = "(the page cannot be read: " + e + ")";
        }
        try {
            shoot("failure");
        } catch (RuntimeException e) {
            // the text below is what matters
        }
        fail("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; the page shows:\n" + text
                + "\n--- instance log ---\n" + Wait.tail(midway.instance) + "\n--- agent log ---\n" + Wait.tail(midway.agent));
    }

    private String bodyText() {
        try {
            return browser.findElement(By.tagName("body")).getText();
        } catch (StaleElementReferenceException e) {
            throw e;
        } catch (WebDriverException e) {
            // Chrome reports a body replaced by the page's own reload between finding it and reading
            // it as an inspector error, not as a stale element: it is one (CI saw it once)
            if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
                throw new StaleElementReferenceException("the page was replaced while it was read", e);
            }
            throw e;
        }
    }

    private void shoot(String page) throws Exception {
        File png = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
        Path target = SCREENSHOTS.resolve(page + ".png");
        Files.copy(png.toPath(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        byte[] head = Arrays.copyOf(Files.readAllBytes(target), 8);
        assertTrue("a PNG of " + page, Files.size(target) > 1000
                && Arrays.equals(head, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}));
        if (!page.equals("failure")) {
            shots.add(page);
        }
    }
}
