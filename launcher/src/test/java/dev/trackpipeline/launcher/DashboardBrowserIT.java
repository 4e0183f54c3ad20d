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
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
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

        saveScreenshot();
    }

    @Test
    @Order(2)
    void showsMarkupSentByBrowsersAsTextAndNeverRunsIt() {
        assertThat(text("#top-errors tbody tr:first-child td:first-child"))
                .isEqualTo("<img src=x onerror=\"window.injected=true\"> Injected markup (app.js:4:38)");
        assertThat(text("#top-errors tbody tr:first-child td:nth-child(3)")).isEqualTo("3");
        assertThat(browser.findElements(By.cssSelector("#top-errors img"))).isEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript("return window.injected === undefined")).isEqualTo(true);
        // The Content-Security-Policy the aggregator sends lets the page's own scripts and styles run: no violation logged.
        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertThat(errors).isEmpty();
    }

    @Test
    @Order(3)
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

    private static void saveScreenshot() throws Exception {
        File screenshot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "dashboard.png");
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
