package fineflow.engines.temporal;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workers.client.RunClient;
import fineflow.workers.dev.DevOptions;
import fineflow.workers.dev.DevStack;
import fineflow.workers.dev.RealTemporal;
import fineflow.workers.engines.TemporalDevServer;
import fineflow.workflows.pipeline.PipelineRequest;
import fineflow.workflows.pipeline.RunState;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What an auditor sees in the real Temporal Web UI, in a real (headless) browser: the list of
 * paused runs, and on the paused run's page its summary (model, backend, spec digest), its
 * search attributes, the current stage table, and each stage activity labelled by its summary.
 */
@Tag("real-temporal")
class TemporalUiTest {
  @TempDir static Path dir;
  static TemporalDevServer server;
  static DevStack stack;
  static PipelineRequest run;
  static ChromeDriver browser;

  @BeforeAll
  static void pausedRun() throws Exception {
    server = RealTemporalServer.start(dir);
    stack = DevStack.on(RealTemporal.attach(server), new DevOptions(0, 0, dir.resolve("workspace"), 1000,
        Duration.ofMillis(100), "engine-build", 1, "fineflow", null), true);
    RunClient runs = new RunClient(stack.connection());
    PipelineSpec spec = SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml");
    run = runs.submit(spec, null, "fineflow");
    Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> runs.progress(run.runId()).runState() == RunState.PAUSED);
    Files.createDirectories(dir.resolve("chromium"));
    browser = HeadlessChromium.start(dir.resolve("chromium"));
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (stack != null) {
      stack.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theAuditorFindsThePausedRunAndReadsWhatHappened() throws Exception {
    try {
      audit();
    } catch (Exception | AssertionError e) {
      shot("failed-here");
      throw e;
    }
  }

  private void audit() throws Exception {
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
    String model = run.spec().model().id();
    String digest = run.plan().specDigest().substring(0, 12);

    // The list of paused runs, as `fineflow dev` links it (the UI's own filter bar shows the query).
    browser.get(server.uiListUrl("FineflowState=\"paused\""));
    By runLink = By.cssSelector("a[href*='/workflows/" + run.runId() + "/']");
    WebElement link = wait.until(d -> d.findElements(runLink).stream().findFirst().orElse(null));
    assertThat(body()).contains("FineflowState", "\"paused\"", "PipelineWorkflow");
    shot("01-paused-runs");
    link.click();

    // The event history: each stage's await labelled by its launch, revision and summary.
    wait.until(d -> body().contains("Await • engine-build launch 1, revision 1"));
    assertThat(body()).contains(run.runId(), "Await • train launch 1, revision 1: Fine-tune " + model,
        "Await • dataset-prep launch 1, revision 1");
    shot("02-history");

    // User metadata: the summary (model, backend, spec digest), the static details, the stage table.
    browser.findElement(By.id("user-metadata-tab")).click();
    wait.until(d -> body().contains("Current Details"));
    wait.until(d -> frames().contains("spec " + digest) && frames().contains("engine-build"));
    String metadata = frames();
    shot("03-user-metadata");
    assertThat(metadata).contains("fine-tune of " + model, "→ triton", "spec " + digest,
        run.plan().specDigest(), "paused at engine-build", "spec revision 1");
    assertThat(metadata).as("the current stage table, rendered from Markdown")
        .containsPattern("dataset-prep\\s+succeeded\\s+1")
        .containsPattern("engine-build\\s+paused\\s+1")
        .contains("engine-build launch 1, revision 1:", "(run paused)")
        .doesNotContain("|---|");

    // The search attributes an auditor filters on.
    browser.findElement(By.id("search-attributes-tab")).click();
    wait.until(d -> body().contains("FineflowState"));
    String attributes = body();
    shot("04-search-attributes");
    assertThat(attributes).contains("FineflowState", "paused", "FineflowModel", model, "FineflowStage",
        "FineflowBackend", "triton", "FineflowRevision");
  }

  /** The UI renders summary, details and current details (Markdown) each in a sandboxed frame. */
  private static String frames() {
    StringBuilder text = new StringBuilder();
    for (WebElement frame : browser.findElements(By.tagName("iframe"))) {
      try {
        browser.switchTo().frame(frame);
        text.append(browser.findElement(By.tagName("body")).getText()).append('\n');
      } finally {
        browser.switchTo().defaultContent();
      }
    }
    return text.toString();
  }

  private static String body() {
    return browser.findElement(By.tagName("body")).getText();
  }

  private static void shot(String name) throws Exception {
    HeadlessChromium.screenshot(browser, name);
    dump(name);
  }

  private static void dump(String name) throws Exception {
    Files.createDirectories(HeadlessChromium.SCREENSHOTS);
    Files.writeString(HeadlessChromium.SCREENSHOTS.resolve(name + ".txt"),
        browser.findElement(By.tagName("body")).getText() + "\n\n-----\n" + browser.getPageSource());
  }
}
