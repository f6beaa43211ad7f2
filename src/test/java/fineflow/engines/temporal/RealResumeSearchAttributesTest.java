package fineflow.engines.temporal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import fineflow.workers.cli.ExitCode;
import fineflow.workers.cli.Main;
import fineflow.workers.dev.DevOptions;
import fineflow.workers.dev.DevStack;
import fineflow.workers.dev.RealTemporal;
import fineflow.workers.engines.TemporalDevServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  static TemporalDevServer server;
  static DevStack stack;

  record Result(int exit, String out, String err) {
  }

  @BeforeAll
  static void startStack() {
    server = RealTemporalServer.start(dir);
    stack = DevStack.on(RealTemporal.attach(server), new DevOptions(0, 0, dir.resolve("workspace"), 1000,
        Duration.ofMillis(100), "engine-build", 1, "fineflow", null), true);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
    if (server != null) {
      server.close();
    }
  }

  static Result fineflow(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--temporal");
    all.add(server.target());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(all.toArray(String[]::new));
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void historyFindsARunByTheModelItWasResumedWith() {
    Result submit = fineflow("submit", "configs/demo.yaml");
    assertThat(submit.exit()).as(submit.err()).isZero();
    Matcher m = Pattern.compile("submitted (\\S+)").matcher(submit.out());
    assertThat(m.find()).isTrue();
    String run = m.group(1);
    Result paused = fineflow("watch", run, "--interval", "0.2");
    assertThat(paused.exit()).as(paused.out()).isEqualTo(ExitCode.PAUSED);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(fineflow("history", "--model", OLD, "-o", "json").out()).contains(run));

    Result resume = fineflow("resume", run, "--set", "model.id=" + NEW);
    assertThat(resume.exit()).as(resume.err()).isZero();
    Result done = fineflow("watch", run, "--interval", "0.2");
    assertThat(done.exit()).as(done.out()).isZero();

    // The visibility store is eventually consistent: wait until it shows the upsert.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Result found = fineflow("history", "--model", NEW);
      assertThat(found.exit()).as(found.err()).isZero();
      assertThat(found.out()).contains(run, NEW);
    });
    Result old = fineflow("history", "--model", OLD, "-o", "json");
    assertThat(old.exit()).as(old.err()).isZero();
    assertThat(old.out()).doesNotContain(run);
  }
}
