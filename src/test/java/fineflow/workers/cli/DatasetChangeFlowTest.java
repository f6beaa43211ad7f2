package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import fineflow.workers.dev.DevOptions;
import fineflow.workers.dev.DevStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, as a user meets it on the dev stack: submit the demo, truncate its dataset in place
 * (same path, same spec), submit again. The real dataset-prep program digests what it wrote,
 * train re-runs instead of coming from the cache, and {@code fineflow show} says which input
 * made its key change; a third run of the same data reuses train.
 */
class DatasetChangeFlowTest {
  @TempDir static Path dir;
  static DevStack stack;

  @BeforeAll
  static void startStack() {
    stack = DevStack.start(new DevOptions(0, 0, dir.resolve("workspace"), 1000, Duration.ofMillis(100),
        null, 0, "fineflow", null));
  }

  @AfterAll
  static void stopStack() {
    stack.close();
  }

  static Cli fineflow(String... args) {
    return Cli.onTemporal(stack.endpoints().temporal(), args);
  }

  private static String submitAndWait() {
    Cli submit = fineflow("submit", "configs/demo.yaml");
    assertThat(submit.exit()).as(submit.err()).isZero();
    Matcher m = Pattern.compile("submitted (\\S+)").matcher(submit.out());
    assertThat(m.find()).isTrue();
    Cli done = fineflow("watch", m.group(1), "--interval", "0.2");
    assertThat(done.exit()).as(done.out()).isZero();
    return m.group(1);
  }

  private static JsonNode stage(String run, String name) throws Exception {
    Cli show = fineflow("show", run, "-o", "json");
    assertThat(show.exit()).as(show.err()).isZero();
    for (JsonNode s : OperatorFlowTest.JSON.readTree(show.out()).get("stages")) {
      if (s.get("name").asText().equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no stage " + name);
  }

  @Test
  void aDatasetTruncatedInPlaceReTrainsAndShowSaysWhy() throws Exception {
    String first = submitAndWait();
    String firstSha = stage(first, "dataset-prep").get("artifacts").get(0).get("path").asText()
        .replaceFirst(".*/([0-9a-f]{64})/train\\.jsonl$", "$1");
    assertThat(firstSha).matches("[0-9a-f]{64}");

    Path dataset = stack.options().workspace().resolve("examples/demo-dataset.jsonl");
    List<String> records = Files.readAllLines(dataset, StandardCharsets.UTF_8);
    Files.write(dataset, records.subList(0, records.size() / 2), StandardCharsets.UTF_8);
    String second = submitAndWait();

    JsonNode prep = stage(second, "dataset-prep");
    assertThat(prep.get("state").asText()).isEqualTo("succeeded");
    String secondSha = prep.get("artifacts").get(0).get("path").asText()
        .replaceFirst(".*/([0-9a-f]{64})/train\\.jsonl$", "$1");
    assertThat(secondSha).matches("[0-9a-f]{64}").isNotEqualTo(firstSha);
    // Both folders stay: the first run's train still names its own.
    assertThat(Path.of(prep.get("artifacts").get(0).get("path").asText().replace(
        secondSha, firstSha).replaceFirst("^/workspace", stack.options().workspace().toString())))
        .exists();
    JsonNode train = stage(second, "train");
    assertThat(train.get("state").asText()).isEqualTo("succeeded");
    assertThat(train.get("keyChange").asText()).isEqualTo("dataset-prep's output changed (sha "
        + firstSha.substring(0, 12) + " → " + secondSha.substring(0, 12) + ")");
    Cli text = fineflow("show", second);
    assertThat(text.out()).containsPattern("(?m)^  train +succeeded .*re-run: dataset-prep's output"
        + " changed \\(sha " + firstSha.substring(0, 12) + " → " + secondSha.substring(0, 12) + "\\); ");

    String third = submitAndWait();
    assertThat(stage(third, "dataset-prep").get("state").asText()).isEqualTo("succeeded");
    assertThat(stage(third, "train").get("state").asText()).isEqualTo("cached");
  }
}
