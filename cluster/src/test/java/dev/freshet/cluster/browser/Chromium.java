package dev.freshet.cluster.browser;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's Chromium ({@code /usr/bin/chromium}) driven by Debian's chromedriver through Selenium:
 * never a downloaded browser (Selenium Manager is not asked, the paths are given). Headless, with
 * the browser's console kept for the tests to read. Without the two binaries a test is skipped
 * visibly here and fails under {@code CI=true}, where {@code .ci/run} installs them.
 */
public final class Chromium {

  static final Path BROWSER =
      Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
  static final Path DRIVER =
      Path.of(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver"));

  /** Where screenshots go: a build artifact of the cluster module. */
  public static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private Chromium() {}

  /**
   * Skips the test (fails it under CI) unless Chromium and chromedriver are installed: call it
   * before starting what a browser test needs, so that nothing starts for a skipped class.
   */
  public static void require() {
    if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
      String why =
          "Chromium ("
              + BROWSER
              + ") and chromedriver ("
              + DRIVER
              + ") are needed for browser tests";
      if ("true".equalsIgnoreCase(System.getenv("CI")))
        fail(why + " under CI=true (.ci/run installs chromium chromium-driver)");
      Assumptions.abort(why + ": apt-get install chromium chromium-driver");
    }
  }

  /** A new headless browser; skips (or fails under CI) when Chromium is not installed. */
  public static ChromeDriver start() {
    require();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox", // CI runs as root, where Chromium's sandbox cannot start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,1800",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        // the tests decide when a page hides (pagehide, visibility), not the browser's throttling
        "--disable-background-timer-throttling",
        "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .withTimeout(Duration.ofSeconds(60))
            .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return driver;
  }

  /** Saves what the browser shows as {@code target/screenshots/<name>.png}; answers the path. */
  public static Path screenshot(ChromeDriver driver, String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
      Path to = SCREENSHOTS.resolve(name + ".png");
      Files.copy(shot.toPath(), to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs Chrome DevTools command {@code command} (e.g. {@code Network.emulateNetworkConditions}).
   */
  public static Map<String, Object> devTools(
      ChromeDriver driver, String command, Map<String, Object> parameters) {
    return driver.executeCdpCommand(command, parameters);
  }
}
