package dev.trackpipeline.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trackpipeline.model.fixtures.WebSeeFixtures;
import dev.trackpipeline.model.fixtures.WebSeeFixtures.CapturedRequest;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard at the aggregator's {@code /}, in a real headless Chromium (Debian's chromium and
 * chromium-driver), over the pipeline {@code bin/track local} runs: after the SDK's captured
 * events go in at the gateway, the page shows their numbers. Leaves a screenshot in
 * {@code target/dashboard.png}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** An error message an attacker could send; the page must show it as text and never run it. */
    static final String HOSTILE_MESSAGE = "<img src=x onerror=\\\"window.injected=true\\\"> Injected markup";

    @TempDir
    static Path dataDir;

    static LocalPipeline pipeline;
    static WebDriver browser;
    static final WebSeeFixtures fixtures = WebSeeFixtures.load();

    @BeforeAll
    static void startPipelineAndBrowser() throws Exception {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!"true".equals(System.getenv("TRACK_REQUIRE_BROWSER"))) {
            assumeTrue(installed, "Debian packages chromium and chromium-driver are not installed; dashboard not checked in a browser");
        }
        pipeline = TestPipelines.startLocal(dataDir);
        browser = chromium(dataDir.resolve("chromium-profile"));
    }

    @AfterAll
    static void stopBrowserAndPipeline() {
        if (browser != null) {
            browser.quit();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void showsTheNumbersOfTheEventsTheSdkSent() throws Exception {
        for (CapturedRequest request : fixtures.posts()) {
            assertThat(TestPipelines.post(pipeline, request).statusCode()).isEqualTo(202);
        }
        // Three more errors, in a session the fixtures already have, whose message is markup: the top error.
        for (int i = 1; i <= 3; i++) {
            String hostile = fixtures.first("error").body()
                    .replace("Uncaught Error: Order list render failed: items is empty", HOSTILE_MESSAGE)
                    .replace("\"time\":1795642106952", "\"time\":" + (1795642106952L + i));
            assertThat(TestPipelines.post(pipeline, new CapturedRequest("POST", "/reportData", "text/plain;charset=UTF-8", null, hostile))
                    .statusCode()).isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> TestPipelines.get(pipeline.url("consumer-aggregator")
                + "/api/metrics/overview?apikey=demo-project&window=1h").contains("\"events\":92"));

        browser.get(pipeline.url("consumer-aggregator") + "/#apikey=demo-project&token=demo-read-token");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.until(driver -> driver.findElements(By.cssSelector("#slowest-pages tbody tr")).size() == 4
                && driver.findElements(By.cssSelector("#events-chart canvas")).size() == 1);

        assertThat(text("#events")).isEqualTo("92");
        // 22 errors of the fixtures and the three hostile ones: 25 of 92.
        assertThat(text("#error-rate")).isEqualTo("27.2 %");
        assertThat(text("#errors")).isEqualTo("25 errors");
        assertThat(text("#sessions")).isEqualTo("6");
        assertThat(text("#white-screen-rate")).isEqualTo("64.3 %");
        assertThat(text("#white-screens")).isEqualTo("9 of 14 checks blank");

        WebElement lcp = browser.findElement(By.cssSelector("[data-vital=LCP]"));
        assertThat(lcp.getAttribute("class")).contains("rating-good");
        assertThat(lcp.getText()).contains("LCP", "good · 5 samples");
        assertThat(browser.findElements(By.cssSelector("#vitals .tile")).stream().map(tile -> tile.getAttribute("data-vital")))
                .containsExactly("LCP", "CLS", "FCP", "TTFB", "FID", "FSP");

        List<WebElement> topError = browser.findElements(By.cssSelector("#top-errors tbody tr:nth-child(2) td"));
        assertThat(topError.get(0).getText()).isEqualTo("Uncaught Error: Order list render failed: items is empty (app.js:4:38)");
        assertThat(topError.get(1).getText()).isEqualTo("error");
        assertThat(topError.get(2).getText()).isEqualTo("2");
        assertThat(topError.get(3).getText()).hasSize(32);

        List<WebElement> slowest = browser.findElements(By.cssSelector("#slowest-pages tbody tr td:first-child"));
        // /gallery/'s LCP (248 ms) and /admin/#/settings' (216 ms) fall in one bucket of a page's
        // coarse scale (γ = 1.25, within 11.1 %), so they tie and rank by page.
        assertThat(slowest).extracting(WebElement::getText).containsExactly("/shop/", "/reports/", "/admin/#/settings", "/gallery/");
        assertThat(browser.findElement(By.cssSelector("#slowest-pages tbody tr:first-child td:nth-child(2)")).getAttribute("class"))
                .contains("rating-good");

        WebElement chart = browser.findElement(By.cssSelector("#events-chart canvas"));
        assertThat(chart.getSize().getWidth()).isGreaterThan(300);
        assertThat(browser.findElements(By.cssSelector("#events-chart .u-legend .u-series")))
                .extracting(WebElement::getText).anySatisfy(label -> assertThat(label).contains("performance"));

        saveScreenshot("dashboard.png");
    }

    @Test
    @Order(2)
    void showsMarkupSentByBrowsersAsTextAndNeverRunsIt() {
        assertThat(text("#top-errors tbody tr:first-child td:first-child"))
                .isEqualTo("<img src=x onerror=\"window.injected=true\"> Injected markup (app.js:4:38)");
        assertThat(text("#top-errors tbody tr:first-child td:nth-child(3)")).isEqualTo("3");
        assertThat(browser.findElements(By.cssSelector("#top-errors img"))).isEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript("return window.injected === undefined")).isEqualTo(true);
        assertNoBrowserErrors();
    }

    /** The Content-Security-Policy the aggregator sends lets the page's own scripts, styles and reads run: no violation logged. */
    private static void assertNoBrowserErrors() {
        assertThat(severeBrowserLogs()).isEmpty();
    }

    /** What the browser logged as errors since last asked. */
    private static List<LogEntry> severeBrowserLogs() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
    }

    /**
     * Four occurrences of an error of the fixtures' kind with its own message and recording (four, so
     * that it ranks among the top ten), and the recording's one chunk.
     */
    private static void postRecordedError(String recordScreenId, String message, long time, String events) throws Exception {
        postRecordedError(recordScreenId, message, time, events, 4);
    }

    private static void postRecordedError(String recordScreenId, String message, long time, String events, int occurrences)
            throws Exception {
        List<String> bodies = new java.util.ArrayList<>();
        for (int occurrence = 0; occurrence < occurrences; occurrence++) {
            bodies.add(fixtures.first("error").body()
                    .replace("Uncaught Error: Order list render failed: items is empty", message)
                    .replace("\"time\":1795642106952", "\"time\":" + (time - occurrence))
                    .replaceAll("\"recordScreenId\":\"[^\"]*\"", "\"recordScreenId\":\"" + recordScreenId + "\""));
        }
        bodies.add(fixtures.first("recordScreen").body()
                .replaceAll("\"events\":\"[^\"]*\"", "\"events\":\"" + events + "\"")
                .replaceAll("\"recordScreenId\":\"[^\"]*\"", "\"recordScreenId\":\"" + recordScreenId + "\""));
        for (String body : bodies) {
            assertThat(TestPipelines.post(pipeline, new CapturedRequest("POST", "/reportData", "text/plain;charset=UTF-8", null, body))
                    .statusCode()).as(body.substring(0, 80)).isEqualTo(202);
        }
    }

    private static void playTheNewestOccurrenceOf(String title) {
        playTheNewestOccurrenceOf(title, 4);
    }

    /** Opens the group of the top error {@code title}, waits for its first page of occurrences, and plays the newest. */
    private static void playTheNewestOccurrenceOf(String title, int shownOccurrences) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        wait.ignoring(StaleElementReferenceException.class).until(driver -> {
            var link = driver.findElements(By.cssSelector("#top-errors button.group-link")).stream()
                    .filter(candidate -> candidate.getText().equals(title)).findFirst();
            link.ifPresent(WebElement::click);
            return link.isPresent();
        });
        wait.until(driver -> text("#group-title").equals(title)
                && driver.findElements(By.cssSelector("#group-occurrences .occurrence button.play")).size() == shownOccurrences);
        browser.findElement(By.cssSelector("#group-occurrences .occurrence:first-child button.play")).click();
    }

    @Test
    @Order(3)
    void drillsFromATopErrorToItsGroupItsOccurrencesAndTheirBreadcrumbs() {
        browser.findElement(By.id("auto-refresh")).click(); // a refresh would redraw the table under the click
        browser.findElement(By.cssSelector("#top-errors tbody tr:nth-child(2) button.group-link")).click();

        new WebDriverWait(browser, Duration.ofSeconds(30)).until(driver -> driver.findElement(By.id("error-group")).isDisplayed()
                && driver.findElements(By.cssSelector("#group-occurrences .occurrence")).size() == 2);
        assertThat(text("#group-title")).isEqualTo("Uncaught Error: Order list render failed: items is empty (app.js:4:38)");
        assertThat(text("#group-type")).isEqualTo("error");
        assertThat(text("#group-count")).isEqualTo("2");
        assertThat(text("#group-scope")).isEqualTo("all stored, not only the last 1h");
        assertThat(text("#group-recordings")).isEqualTo("2 with a recording");
        assertThat(browser.findElements(By.cssSelector("#group-chart canvas"))).hasSize(1);
        assertThat(browser.findElements(By.cssSelector("#group-pages tbody tr td:last-child"))).extracting(WebElement::getText)
                .containsExactly("1", "1");
        assertThat(browser.findElements(By.cssSelector("#group-browsers tbody tr td:first-child"))).extracting(WebElement::getText)
                .isNotEmpty().doesNotContain("");

        // The newest occurrence's trail, oldest step first, each as the SDK recorded it, markup shown as text.
        List<WebElement> firstTrail = browser.findElements(By.cssSelector("#group-occurrences .occurrence:first-child .breadcrumbs tbody tr"));
        assertThat(firstTrail).isNotEmpty();
        assertThat(firstTrail.get(0).findElements(By.tagName("td"))).extracting(WebElement::getText)
                .endsWith("Click", "<button id=\"btn-more\">Load more</button>");
        assertThat(browser.findElements(By.cssSelector("#group-occurrences a, #group-occurrences img"))).isEmpty();
        browser.findElement(By.cssSelector("#group-occurrences .occurrence:first-child summary")).click();
        assertThat(text("#group-occurrences .occurrence:first-child pre")).contains("\"recordScreenId\"", "\"breadcrumb\"");
        assertNoBrowserErrors();
    }

    @Test
    @Order(4)
    void listsTheRecentErrorsByTypePageAndTimeAndOpensTheirGroup() throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        // The 22 errors of the fixtures and the three hostile ones, 20 a page, newest first.
        wait.until(driver -> text("#recent-status").equals("1–20 of 25, newest first"));
        List<WebElement> newest = browser.findElements(By.cssSelector("#recent-errors tbody tr:first-child td"));
        assertThat(newest.get(0).getText()).matches("\\d+/\\d+/2026, .*");
        assertThat(newest).extracting(WebElement::getText).element(1).isEqualTo("error");
        assertThat(newest.get(2).findElements(By.cssSelector("button.group-link"))).hasSize(1);
        assertThat(newest).extracting(WebElement::getText).element(3).isEqualTo("http://127.0.0.1:8080/reports/");
        assertThat(newest.get(4).getText()).isNotBlank();
        browser.findElement(By.id("recent-older")).click();
        wait.until(driver -> text("#recent-status").equals("21–25 of 25, newest first"));
        assertThat(browser.findElements(By.cssSelector("#recent-errors tbody tr"))).hasSize(5);
        assertThat(browser.findElement(By.id("recent-older")).isDisplayed()).isFalse();

        wait.until(driver -> driver.findElements(By.cssSelector("#recent-type option")).size() == 6);
        new Select(browser.findElement(By.id("recent-type"))).selectByValue("resource");
        wait.until(driver -> text("#recent-status").equals("1–5 of 5, newest first"));
        assertThat(browser.findElements(By.cssSelector("#recent-errors tbody tr td:nth-child(2)"))).extracting(WebElement::getText)
                .containsOnly("resource");

        // A page by the start of its URL: the admin page's errors, with and without its fragment and query.
        new Select(browser.findElement(By.id("recent-type"))).selectByValue("");
        browser.findElement(By.id("recent-page")).sendKeys("http://127.0.0.1:8080/admin/");
        browser.findElement(By.cssSelector("#recent-filters button[type=submit]")).click();
        wait.until(driver -> text("#recent-status").equals("1–8 of 8, newest first"));
        assertThat(browser.findElements(By.cssSelector("#recent-errors tbody tr td:nth-child(4)"))).extracting(WebElement::getText)
                .containsOnly("http://127.0.0.1:8080/admin/#/settings", "http://127.0.0.1:8080/admin/users?role=staff");

        // The fixtures' browser clock stopped days ago: none in the last hour.
        new Select(browser.findElement(By.id("recent-since"))).selectByValue("1h");
        wait.until(driver -> text("#recent-errors tbody").equals("No errors match."));

        new Select(browser.findElement(By.id("recent-since"))).selectByValue("");
        wait.until(driver -> text("#recent-status").equals("1–8 of 8, newest first"));
        WebElement settingsError = browser.findElement(By.cssSelector("#recent-errors tbody tr:first-child button.group-link"));
        String title = settingsError.getText();
        settingsError.click();
        wait.until(driver -> driver.findElement(By.id("error-group")).isDisplayed() && text("#group-title").equals(title));
        // The error clicked comes first in its group, with its own breadcrumbs.
        assertThat(text("#group-occurrences .occurrence:first-child h4")).startsWith("The error you opened · ")
                .contains("http://127.0.0.1:8080/admin/");
        browser.findElement(By.id("recent-page")).clear();
        browser.findElement(By.cssSelector("#recent-filters button[type=submit]")).click();
        wait.until(driver -> text("#recent-status").equals("1–20 of 25, newest first"));
        ((JavascriptExecutor) browser).executeScript("document.getElementById('recent').scrollIntoView()");
        saveScreenshot("recent-errors.png");
        assertNoBrowserErrors();
    }

    @Test
    @Order(5)
    void showsAHostileGroupAsTextAndLetsNoOtherOriginReadTheWriter() throws Exception {
        browser.findElement(By.cssSelector("#top-errors tbody tr:first-child button.group-link")).click();
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(driver -> text("#group-count").equals("3"));
        assertThat(browser.findElements(By.cssSelector("#group-occurrences .occurrence"))).hasSize(3);
        assertThat(browser.findElement(By.id("group-older")).isDisplayed()).as("three occurrences, one page").isFalse();
        assertThat(text("#group-title")).isEqualTo("<img src=x onerror=\"window.injected=true\"> Injected markup (app.js:4:38)");
        assertThat(browser.findElements(By.cssSelector("#error-group img"))).isEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript("return window.injected === undefined")).isEqualTo(true);

        // The writer lets the dashboard's origin read it from a browser, and no other.
        String writer = pipeline.url("consumer-writer") + "/api/errors/list?apikey=demo-project";
        assertThat(TestPipelines.preflight(writer, pipeline.url("consumer-aggregator"), "GET").headers()
                .firstValue("Access-Control-Allow-Origin")).hasValue(pipeline.url("consumer-aggregator"));
        var foreign = TestPipelines.preflight(writer, "https://attacker.example", "GET");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        var delete = TestPipelines.preflight(writer, pipeline.url("consumer-aggregator"), "DELETE");
        assertThat(delete.statusCode()).isEqualTo(403);
        assertThat(delete.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(TestPipelines.getFrom(writer, "https://attacker.example").statusCode()).isEqualTo(403);
        assertNoBrowserErrors();
    }

    @Test
    @Order(6)
    void playsTheSessionOfAnOccurrenceFromJustBeforeItsError() throws Exception {
        browser.findElement(By.cssSelector("#top-errors tbody tr:nth-child(2) button.group-link")).click();
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(driver -> text("#group-count").equals("2")
                && driver.findElements(By.cssSelector("#group-occurrences .occurrence button.play")).size() == 2);
        browser.findElement(By.cssSelector("#group-occurrences .occurrence:first-child button.play")).click();

        new WebDriverWait(browser, Duration.ofSeconds(60)).until(driver -> text("#group-occurrences .occurrence:first-child .replay-status")
                .matches("Play(ing|ed) \\d+\\.\\d s of \\d+\\.\\d s .*"));
        WebElement frame = browser.findElement(By.cssSelector("#group-occurrences .occurrence:first-child iframe.replay-frame"));
        browser.switchTo().frame(frame);
        try {
            // rrweb rebuilds the recorded page in a frame where nothing recorded may run
            WebElement replayed = browser.findElement(By.cssSelector(".replayer-wrapper iframe"));
            assertThat(replayed.getAttribute("sandbox")).isEqualTo("allow-same-origin");
            browser.switchTo().frame(replayed);
            // The recorded page, rebuilt and shown: the audit log the newest occurrence happened on, as the SDK recorded it.
            new WebDriverWait(browser, Duration.ofSeconds(30))
                    .until(driver -> driver.findElement(By.tagName("body")).getText().contains("Audit log"));
            assertThat(browser.findElement(By.tagName("body")).getText()).contains("Export", "Load more");
        } finally {
            browser.switchTo().defaultContent();
        }
        // Beside the player, the occurrence's breadcrumbs: the steps played so far marked, the latest as now.
        String trail = "#group-occurrences .occurrence:first-child .replay-stage .breadcrumbs tbody tr";
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(driver -> !driver.findElements(By.cssSelector(trail + ".played")).isEmpty());
        assertThat(browser.findElements(By.cssSelector(trail + ".now"))).hasSize(1);
        // Each step the recording covers plays from its moment.
        WebElement step = browser.findElements(By.cssSelector(trail + " button.seek")).stream()
                .filter(WebElement::isEnabled).findFirst().orElseThrow();
        String offset = step.findElement(By.xpath("following-sibling::span")).getText();
        assertThat(offset).matches("\\d+\\.\\d s");
        step.click();
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(driver -> text("#group-occurrences .occurrence:first-child .replay-status")
                .contains("(from " + offset + ","));
        saveScreenshot("replay.png");
        // What the player's policy refuses is the recorded page's own resources (on the demo's origin), and nothing else fails.
        assertThat(severeBrowserLogs()).extracting(LogEntry::getMessage)
                .allSatisfy(message -> assertThat(message).contains("'http://127.0.0.1:8080/", "violates the following Content Security Policy"));
    }

    @Test
    @Order(7)
    void aHostileRecordingRunsNothingAndFetchesNothingAndAnUndecodableOneSaysSo() throws Exception {
        // The attacker's server: it sees every connection a browser opens to it, a preconnect's too (which sends no request).
        try (AttackerServer attacker = AttackerServer.start()) {
            String elsewhere = attacker.origin();
            List<String> askedOfTheAttacker = attacker.seen();
            long errorTime = 1795642300000L;
            postRecordedError("hostile-recording", "Uncaught Error: hostile recording", errorTime,
                    WebSeeRecordings.encode(WebSeeRecordings.hostilePage(errorTime - 8000, elsewhere)));
            postRecordedError("broken-recording", "Uncaught Error: broken recording", errorTime + 1, "bm90IGd6aXA=");
            postRecordedError("unplayable-recording", "Uncaught Error: unplayable recording", errorTime + 2,
                    WebSeeRecordings.encode(WebSeeRecordings.unplayable(errorTime - 8000)), 7);
            for (String recording : List.of("hostile", "broken", "unplayable")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> TestPipelines.get(pipeline.url("consumer-writer") + "/api/record-screen/"
                        + recording + "-recording?apikey=demo-project").contains("\"chunks\""));
            }
            browser.findElement(By.cssSelector("#project button[type=submit]")).click();
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));

            playTheNewestOccurrenceOf("Uncaught Error: broken recording (app.js:4:38)");
            wait.until(driver -> text("#group-occurrences .occurrence:first-child .replay-status").startsWith("The recording cannot be played"));
            assertThat(text("#group-occurrences .occurrence:first-child .replay-status"))
                    .startsWith("The recording cannot be played: chunk 1 of 1 is not a web-see recording (");
            assertThat(browser.findElement(By.cssSelector("#group-occurrences .occurrence:first-child .replay-status")).getAttribute("class"))
                    .contains("error");

            // A recording that decodes but that rrweb cannot rebuild says so; a group's older occurrences come a page at a time.
            playTheNewestOccurrenceOf("Uncaught Error: unplayable recording (app.js:4:38)", 5);
            wait.until(driver -> text("#group-occurrences .occurrence:first-child .replay-status").startsWith("The recording cannot be played"));
            assertThat(text("#group-occurrences .occurrence:first-child .replay-status"))
                    .startsWith("The recording cannot be played: rrweb stopped on it (");
            browser.findElement(By.id("group-older")).click();
            wait.until(driver -> driver.findElements(By.cssSelector("#group-occurrences .occurrence")).size() == 7);
            assertThat(browser.findElement(By.id("group-older")).isDisplayed()).isFalse();
            severeBrowserLogs(); // rrweb's own TypeError, said above

            playTheNewestOccurrenceOf("Uncaught Error: hostile recording (app.js:4:38)");
            wait.until(driver -> text("#group-occurrences .occurrence:first-child .replay-status").startsWith("Play"));
            WebElement frame = browser.findElement(By.cssSelector("#group-occurrences .occurrence:first-child iframe.replay-frame"));
            browser.switchTo().frame(frame);
            try {
                assertThat(((JavascriptExecutor) browser).executeScript("return window.injected === undefined")).isEqualTo(true);
                browser.switchTo().frame(browser.findElement(By.cssSelector(".replayer-wrapper iframe")));
                wait.until(driver -> driver.findElement(By.tagName("body")).getText().contains("Hostile page"));
                // The sheet an added node carried applies, though rrweb's CSS rewriting is left out.
                assertThat(((JavascriptExecutor) browser).executeScript("return getComputedStyle(document.querySelector('h1')).color"))
                        .isEqualTo("rgb(1, 2, 3)");
            } finally {
                browser.switchTo().defaultContent();
            }
            // Played to its end, every recorded fetch has had its chance; and once more from the start, paused on the way.
            wait.until(driver -> text("#group-occurrences .occurrence:first-child .replay-status").startsWith("Played"));
            browser.switchTo().frame(frame);
            browser.findElement(By.id("restart")).click();
            browser.switchTo().defaultContent();
            wait.until(driver -> text("#group-occurrences .occurrence:first-child .replay-status").contains("(from 0.0 s,"));
            browser.switchTo().frame(frame);
            browser.findElement(By.id("pause")).click();
            assertThat(browser.findElement(By.id("pause")).getText()).isEqualTo("Play");
            browser.switchTo().defaultContent();
            wait.until(driver -> text("#group-occurrences .occurrence:first-child .replay-status").startsWith("Paused at "));
            assertThat(((JavascriptExecutor) browser).executeScript("return window.injected === undefined")).isEqualTo(true);
            assertThat(askedOfTheAttacker).isEmpty();
            // Every refusal is the player's policy or rrweb's sandbox at work, and the recorded image elsewhere is one of them.
            assertThat(severeBrowserLogs()).extracting(LogEntry::getMessage)
                    .allSatisfy(message -> assertThat(message).containsAnyOf("violates the following Content Security Policy",
                            "because the document's frame is sandboxed and the 'allow-scripts' permission is not set"))
                    .anySatisfy(message -> assertThat(message).contains("tracking.png", "\"img-src data:\""));

            // And the attacker's server was there to be asked: the browser reaches it when told to go there.
            browser.get(elsewhere + "/reachable");
            await().atMost(Duration.ofSeconds(10)).until(() -> askedOfTheAttacker.contains("GET /reachable HTTP/1.1"));
        }
    }

    /** A server on a free port that notes every connection ("connection") and request line, and answers each request 204. */
    record AttackerServer(java.net.ServerSocket socket, List<String> seen, Thread acceptor) implements AutoCloseable {

        static AttackerServer start() throws Exception {
            var socket = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = daemon(() -> {
                while (!socket.isClosed()) {
                    try {
                        var connection = socket.accept();
                        seen.add("connection");
                        daemon(() -> answer(connection, seen));
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            });
            return new AttackerServer(socket, seen, acceptor);
        }

        private static Thread daemon(Runnable work) {
            Thread thread = new Thread(work, "attacker-server");
            thread.setDaemon(true);
            thread.start();
            return thread;
        }

        private static void answer(java.net.Socket connection, List<String> seen) {
            try (connection) {
                connection.setSoTimeout(5000);
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(connection.getInputStream(),
                        java.nio.charset.StandardCharsets.ISO_8859_1));
                String requestLine = in.readLine();
                if (requestLine != null) {
                    seen.add(requestLine);
                    connection.getOutputStream().write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
                            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                }
            } catch (java.io.IOException ignored) {
                // a preconnect sends nothing and goes: its connection is noted already
            }
        }

        String origin() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join(5000);
        }
    }

    @Test
    @Order(8)
    void explainsARefusedTokenInsteadOfShowingNumbers() {
        browser.get(pipeline.url("consumer-aggregator") + "/#apikey=demo-project&token=someone-elses-token");
        browser.navigate().refresh();

        new WebDriverWait(browser, Duration.ofSeconds(30)).until(driver -> text("#status").contains("read token"));
        assertThat(text("#status")).isEqualTo("Authorization: a Bearer read token of the project is required");
        assertThat(browser.findElement(By.id("status")).getAttribute("class")).isEqualTo("error");
        assertThat(browser.findElement(By.id("dashboard")).isDisplayed()).isFalse();
    }

    private static String text(String selector) {
        return browser.findElement(By.cssSelector(selector)).getText();
    }

    private static void saveScreenshot(String name) throws Exception {
        File screenshot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.copy(screenshot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Headless, and kept off the network: this machine's closed network refuses Chromium's background calls. */
    private static WebDriver chromium(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,1300", "--user-data-dir=" + profile);
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
