package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.spec.SpecJson;
import fineflow.workflows.spec.SpecLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PlanCommandTest {
  private static final Path ELYZA = Path.of("configs/elyza-7b-qlora-triton.yaml");

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void tableShowsEveryStageAndTotals() throws Exception {
    assertThat(run("plan", ELYZA.toString())).isEqualTo(ExitCode.OK);
    Plan plan = Planner.plan(SpecLoader.load(Files.readString(ELYZA), ELYZA.toString()));
    String text = out.toString();
    assertThat(text).startsWith("Plan for elyza-7b-qlora-triton (spec "
        + plan.specDigest().substring(0, 12) + ")");
    assertThat(text).contains("STAGE", "KIND", "IMAGE", "GPU", "CACHE KEY", "COMMAND");
    for (var stage : plan.stages()) {
      assertThat(text).containsPattern("(?m)^" + stage.name().id() + " +"
          + stage.kind().name().toLowerCase() + " +\\Q" + stage.image() + "\\E +"
          + (stage.usesGpu() ? "1" : "-") + " +" + stage.shortKey() + " +\\S");
    }
    // The NVIDIA tool is shown, not stage_runner's wrapper.
    assertThat(text).containsPattern("(?m)^engine-build .* trtllm-build --checkpoint_dir ");
    assertThat(text).contains("10 stages, 5 on GPU; expected about");
    // The warnings validate prints, in its format: plan and validate agree.
    assertThat(err.toString().lines().toList()).singleElement().asString()
        .matches("configs/elyza-7b-qlora-triton\\.yaml:\\d+:3: warning: benchmark\\.concurrency: .*");
  }

  @Test
  void jsonIsThePlanRecord() throws Exception {
    assertThat(run("plan", ELYZA.toString(), "--output", "json")).isEqualTo(ExitCode.OK);
    Plan expected = Planner.plan(SpecLoader.load(Files.readString(ELYZA), ELYZA.toString()));
    Plan parsed = SpecJson.mapper().readValue(out.toString(), Plan.class);
    assertThat(parsed).isEqualTo(expected);
    JsonNode engine = new ObjectMapper().readTree(out.toString()).get("stages").get(5);
    assertThat(engine.get("name").asText()).isEqualTo("engine-build");
    assertThat(engine.get("cacheKey").asText()).matches("[0-9a-f]{64}");
  }

  @Test
  void everyExampleConfigPlans() throws Exception {
    try (var files = Files.list(Path.of("configs"))) {
      for (Path config : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        assertThat(run("plan", config.toString())).as(config.toString()).isEqualTo(ExitCode.OK);
      }
    }
  }

  @Test
  void invalidSpecExitsTwoWithEveryProblem(@TempDir Path dir) throws Exception {
    Path spec = dir.resolve("bad.yaml");
    Files.writeString(spec, Files.readString(ELYZA)
        .replace("    r: 4\n", "    r: 0\n")
        .replace("  maxBatchSize: 16\n", "  maxBatchSize: 16\n  maxBatchSise: 8\n"));
    assertThat(run("plan", spec.toString())).isEqualTo(ExitCode.BAD_INPUT);
    // The format of validate (FILE:LINE:COL: path: message), so editors jump to both alike.
    assertThat(err.toString()).containsPattern(java.util.regex.Pattern.quote(spec.toString()) + ":\\d+:\\d+: training.lora.r: ")
        .contains("maxBatchSise");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void plannerRefusalExitsTwo(@TempDir Path dir) throws Exception {
    Path spec = dir.resolve("outside.yaml");
    Files.writeString(spec, Files.readString(ELYZA)
        .replace("path: datasets/dazai-persona.json", "path: /home/me/dazai.json"));
    assertThat(run("plan", spec.toString())).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("dataset.path: /home/me/dazai.json is outside the workspace");
  }

  @Test
  void missingFileExitsTwo() {
    assertThat(run("plan", "no/such/spec.yaml")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("no/such/spec.yaml: no such file");
  }

  @Test
  void unknownOutputFormatIsAUsageError() {
    assertThat(run("plan", ELYZA.toString(), "--output", "yaml")).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("--output");
  }
}
