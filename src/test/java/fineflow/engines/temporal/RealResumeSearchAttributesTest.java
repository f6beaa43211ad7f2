package fineflow.engines.temporal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import fineflow.workers.cli.ExitCode;
import fineflow.workers.cli.Cli;
import fineflow.workers.dev.DevStack;
import fineflow.workers.engines.TemporalDevServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code resume --set model.id=…} on the real server: the visibility store sees the new model, so
 * {@code history --model NEW} finds the run and {@code history --model OLD} no longer does.
 */
@Tag("real-temporal")
class RealResumeSearchAttributesTest {
  static final String OLD = "HuggingFaceTB/SmolLM2-135M-Instruct";
  static final String NEW = "HuggingFaceTB/SmolLM2-360M-Instruct";

  @TempDir static Path dir;
  static RealTemporalStack real;
  static TemporalDevServer server;
  static DevStack stack;

  @BeforeAll
  static void startStack() {
    real = RealTemporalStack.start(dir);
    server = real.server();
    stack = real.stack();
  }

  @AfterAll
  static void stopStack() {
    if (real != null) {
      real.close();
    }
  }

  static Cli fineflow(String... args) {
    return Cli.onTemporal(server.target(), args);
  }

  @Test
  void historyFindsARunByTheModelItWasResumedWith() {
    Cli submit = fineflow("submit", "configs/demo.yaml");
    assertThat(submit.exit()).as(submit.err()).isZero();
    Matcher m = Pattern.compile("submitted (\\S+)").matcher(submit.out());
    assertThat(m.find()).isTrue();
    String run = m.group(1);
    Cli paused = fineflow("watch", run, "--interval", "0.2");
    assertThat(paused.exit()).as(paused.out()).isEqualTo(ExitCode.PAUSED);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(fineflow("history", "--model", OLD, "-o", "json").out()).contains(run));

    Cli resume = fineflow("resume", run, "--set", "model.id=" + NEW);
    assertThat(resume.exit()).as(resume.err()).isZero();
    Cli done = fineflow("watch", run, "--interval", "0.2");
    assertThat(done.exit()).as(done.out()).isZero();

    // The visibility store is eventually consistent: wait until it shows the upsert.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Cli found = fineflow("history", "--model", NEW);
      assertThat(found.exit()).as(found.err()).isZero();
      assertThat(found.out()).contains(run, NEW);
    });
    Cli old = fineflow("history", "--model", OLD, "-o", "json");
    assertThat(old.exit()).as(old.err()).isZero();
    assertThat(old.out()).doesNotContain(run);
  }
}
