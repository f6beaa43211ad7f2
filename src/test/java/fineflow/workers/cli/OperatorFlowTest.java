package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workers.dev.DevOptions;
import fineflow.workers.dev.DevStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's walk-through as a user types it, against a running dev stack whose engine
 * build fails once: submit → watch shows the pause → a bad patch is rejected → resume with
 * engine.maxBatchSize=8 completes it → show proves training ran once → history finds runs.
 */
class OperatorFlowTest {
  @TempDir static Path dir;
  static DevStack stack;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void startStack() {
    stack = DevStack.start(new DevOptions(0, 0, dir.resolve("workspace"), 1000, Duration.ofMillis(100),
        "engine-build", 1, "fineflow", null));
  }

  @AfterAll
  static void stopStack() {
    stack.close();
  }

  static Cli fineflow(String... args) {
    return Cli.onTemporal(stack.endpoints().temporal(), args);
  }

  @Test
  void submitPauseRejectResumeShowHistory() throws Exception {
    Cli submit = fineflow("submit", "configs/demo.yaml");
    assertThat(submit.exit()).as(submit.err()).isZero();
    Matcher m = Pattern.compile("submitted (\\S+)").matcher(submit.out());
    assertThat(m.find()).isTrue();
    String run = m.group(1);

    Cli watch = fineflow("watch", run, "--interval", "0.2");
    assertThat(watch.exit()).as(watch.out()).isEqualTo(ExitCode.PAUSED);
    assertThat(watch.out()).contains("engine-build paused", "failure injected by --fail-stage engine-build");

    Cli paused = fineflow("history", "--state", "paused");
    assertThat(paused.out()).contains(run);

    Cli bad = fineflow("resume", run, "--set", "engine.maxBatchSize=0", "--set", "training.lora.r=-1");
    assertThat(bad.exit()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(bad.err()).contains("engine.maxBatchSize", "training.lora.r");

    Cli resume = fineflow("resume", run, "--set", "engine.maxBatchSize=8");
    assertThat(resume.exit()).as(resume.err()).isZero();
    assertThat(resume.out()).contains("keep   train", "retry  engine-build");

    Cli done = fineflow("watch", run, "--interval", "0.2");
    assertThat(done.exit()).as(done.out()).isZero();

    Cli show = fineflow("show", run, "-o", "json");
    assertThat(show.exit()).as(show.err()).isZero();
    JsonNode audit = JSON.readTree(show.out());
    assertThat(audit.get("state").asText()).isEqualTo("succeeded");
    assertThat(launches(audit, "train")).isEqualTo(1);
    assertThat(launches(audit, "engine-build")).isEqualTo(2);
    assertThat(audit.get("revisions")).hasSize(2);
    assertThat(audit.get("revisions").get(1).get("change").asText()).isEqualTo("engine.maxBatchSize=8");

    assertThat(fineflow("history", "--model", "HuggingFaceTB/SmolLM2-135M-Instruct").out()).contains(run);
    assertThat(fineflow("history", "--model", "no/such-model").out()).contains("no runs match");
    assertThat(fineflow("history", "--state", "paused").out()).doesNotContain(run);
    assertThat(fineflow("status", run).out()).contains("succeeded", "spec revision 2");

    Cli logs = Cli.run("logs", run, "train", "--kubernetes", stack.endpoints().kubernetes(), "-n", "fineflow");
    assertThat(logs.exit()).as(logs.err()).isZero();
    assertThat(logs.out()).contains("[simulated] training", "\"event\":\"progress\"");
  }

  @Test
  void badSpecIsRejectedBeforeAnythingStarts() throws Exception {
    Path spec = dir.resolve("bad.yaml");
    Files.writeString(spec, Files.readString(Path.of("configs/demo.yaml")).replace("r: 8", "r: 0"));
    Cli submit = fineflow("submit", spec.toString());
    assertThat(submit.exit()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(submit.err()).contains("training.lora.r");
  }

  @Test
  void unknownRunIsAClearError() {
    Cli status = fineflow("status", "no-such-run-1");
    assertThat(status.exit()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(status.err()).contains("no such run");
  }

  private static int launches(JsonNode audit, String stage) {
    for (JsonNode s : audit.get("stages")) {
      if (s.get("name").asText().equals(stage)) {
        return s.get("launches").asInt();
      }
    }
    throw new AssertionError("no stage " + stage);
  }
}
