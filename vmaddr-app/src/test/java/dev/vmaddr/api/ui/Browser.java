package dev.vmaddr.api.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver, both given by path so Selenium
 * downloads nothing. Chromium runs as root here, hence no sandbox. It may resolve no host name but
 * 127.0.0.1 ({@code --host-resolver-rules}) and does no background networking, so a test cannot send
 * traffic anywhere else even by mistake; the performance log records every request a page makes, for
 * the "no external request" check. {@link #close()} quits the browser and stops the driver process.
 */
final class Browser implements AutoCloseable {
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    final ChromeDriver driver;
    private final ChromeDriverService service;
    private final Path profile;
    private final List<String> requested = new ArrayList<>();

    Browser() throws IOException {
        if (!Files.isExecutable(DRIVER)) {
            throw new IllegalStateException(DRIVER + " is missing: install chromium and chromium-driver (scripts/install-test-deps)");
        }
        profile = Files.createTempDirectory("vmaddr-ui-chromium");
        ChromeOptions options = new ChromeOptions();
        Path binary = Path.of("/usr/lib/chromium/chromium"); // the wrapper in /usr/bin only adds flags we set ourselves
        options.setBinary((Files.isExecutable(binary) ? binary : Path.of("/usr/bin/chromium")).toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--window-size=1280,800", "--no-first-run", "--no-default-browser-check",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
                "--disable-extensions", "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(30)).build();
        ChromeDriver d;
        try {
            d = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            deleteProfile();
            throw e;
        }
        driver = d;
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(60));
        size(1280, 800);
    }

    void size(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Opens the UI at {@code base} with an empty session (no token kept). */
    void open(String base) {
        driver.get(base + "/ui/");
        js("sessionStorage.clear()");
        driver.navigate().refresh();
        waitFor(() -> driver.findElement(By.id("token")).isDisplayed());
    }

    void login(String token) {
        WebElement input = driver.findElement(By.id("token"));
        input.clear();
        input.sendKeys(token);
        driver.findElement(By.cssSelector("#login-form button[type=submit]")).click();
    }

    /**
     * Shows a page (e.g. {@code "leases?network=a"}) and waits until it has rendered: the old content
     * is removed first, so what is found afterwards is the new page's.
     */
    void show(String hashRoute) {
        js("document.getElementById('page').replaceChildren();"
                + "const t = '#/' + arguments[0];"
                + "if (location.hash === t) window.dispatchEvent(new HashChangeEvent('hashchange')); else location.hash = t;", hashRoute);
        awaitRendered();
    }

    /**
     * Runs {@code action} (a click or key that makes the page render itself again) and waits for the
     * new rendering: the current heading is marked first, so the old page is never taken for the new.
     */
    void rerender(Runnable action) {
        js("const h = document.querySelector('#page h1'); if (h) h.dataset.stale = 'yes';");
        action.run();
        waitFor(() -> !driver.findElements(By.cssSelector("#page h1:not([data-stale])")).isEmpty());
        awaitRendered();
    }

    void awaitRendered() {
        waitFor(() -> !driver.findElements(By.cssSelector("#page h1, #page .notice.error")).isEmpty()
                && driver.findElement(By.id("page")).getAttribute("aria-busy") == null);
        List<WebElement> errors = driver.findElements(By.cssSelector("#page > .notice.error"));
        if (!errors.isEmpty()) {
            throw new AssertionError("page shows an error: " + errors.getFirst().getText());
        }
    }

    void waitFor(java.util.function.BooleanSupplier condition) {
        waitFor(WAIT, condition);
    }

    void waitFor(Duration timeout, java.util.function.BooleanSupplier condition) {
        new WebDriverWait(driver, timeout).ignoring(org.openqa.selenium.NoSuchElementException.class)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> condition.getAsBoolean());
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    WebElement one(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** axe-core's violations of impact serious or critical on the current page, as "rule: target" lines. */
    List<String> seriousAccessibilityViolations() {
        js(axeSource());
        Object answer = ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "axe.run(document, {resultTypes: ['violations']})"
                        + ".then(r => done(JSON.stringify({passes: r.passes.length, violations: r.violations})),"
                        + " e => done('error: ' + e));");
        String text = String.valueOf(answer);
        if (text.startsWith("error: ")) {
            throw new AssertionError("axe-core failed: " + text);
        }
        List<String> out = new ArrayList<>();
        try {
            JsonNode result = JSON.readTree(text);
            if (result.path("passes").asInt() == 0) {
                throw new AssertionError("axe-core checked nothing on " + driver.getCurrentUrl());
            }
            for (JsonNode v : result.path("violations")) {
                String impact = v.path("impact").asText();
                if (impact.equals("serious") || impact.equals("critical")) {
                    for (JsonNode node : v.path("nodes")) {
                        out.add(v.path("id").asText() + " (" + impact + "): " + node.path("target") + " " + node.path("failureSummary").asText());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String axeSource() {
        try (InputStream in = Browser.class.getResourceAsStream("/axe/axe.min.js")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every URL the pages requested since the browser started (from Chrome's performance log). */
    List<String> requestedUrls() {
        for (LogEntry e : driver.manage().logs().get(LogType.PERFORMANCE)) {
            try {
                JsonNode m = JSON.readTree(e.getMessage()).path("message");
                if (m.path("method").asText().equals("Network.requestWillBeSent")) {
                    requested.add(m.path("params").path("request").path("url").asText());
                }
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        return List.copyOf(requested);
    }

    /** A PNG of the viewport into {@code dir/name.png}. */
    void screenshot(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteProfile();
        }
    }

    private void deleteProfile() {
        try (var s = Files.walk(profile)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary profile only
        }
    }
}
