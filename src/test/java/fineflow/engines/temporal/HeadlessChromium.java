package fineflow.engines.temporal;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fineflow.engines.RealEngines;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium, driven through Debian's chromedriver (scripts/install-browser): both named
 * explicitly, so Selenium never looks for or downloads a browser or a driver of its own. Fails
 * on CI and skips elsewhere when they are missing, like the real engines.
 */
final class HeadlessChromium {
  static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");

  private HeadlessChromium() {
  }

  static ChromeDriver start(Path profile) {
    Path driver = onPath("chromedriver").orElse(null);
    Path browser = onPath("chromium").orElse(null);
    if (driver == null || browser == null) {
      String message = "chromium and chromedriver are not on PATH (run scripts/install-browser)";
      if (RealEngines.onCi()) {
        fail("CI=true and " + message);
      }
      assumeTrue(false, message);
    }
    System.setProperty("webdriver.chrome.driver", driver.toString());
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
        .usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(browser.toFile());
    // This machine refuses outside connections: without these Chromium keeps trying them.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
        "--window-size=1600,1400", "--user-data-dir=" + profile.toAbsolutePath());
    return new ChromeDriver(service, options);
  }

  static Path screenshot(ChromeDriver driver, String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path target = SCREENSHOTS.resolve(name + ".png");
      Files.write(target, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
