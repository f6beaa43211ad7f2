package fineflow.workers.dev;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workers.cli.ExitCode;
import fineflow.workers.cli.Main;
import fineflow.workers.client.RunClient;
import fineflow.workflows.pipeline.PipelineRequest;
import fineflow.workflows.pipeline.RunOutcome;
import fineflow.workflows.pipeline.StageState;
import fineflow.workflows.pipeline.StageStatus;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import org.junit.jupiter.api.io.TempDir;

/** The demo spec through the whole embedded stack: real worker, real activities, simulated node. */
class DevStackTest {
  @TempDir Path dir;

  @Test
  void runsTheDemoPipelineEndToEndWithASimulatedBenchmarkReport() throws Exception {
    PipelineSpec spec = SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml");
    Path workspace = dir.resolve("workspace");
    DevOptions options = new DevOptions(0, 0, workspace, 1000, Duration.ofMillis(200), null, 0, "fineflow", null);
    try (DevStack stack = DevStack.start(options)) {
      RunClient runs = new RunClient(stack.connection());
      PipelineRequest request = runs.submit(spec, null, "fineflow");
      RunOutcome outcome;
      try {
        outcome = runs.untyped(request.runId()).getResult(90, TimeUnit.SECONDS, RunOutcome.class);
      } catch (TimeoutException e) {
        throw new AssertionError("run did not finish: " + runs.progress(request.runId()), e);
      }

      assertThat(outcome.stages()).filteredOn(s -> s.state() != StageState.SKIPPED)
          .extracting(StageStatus::stage).containsExactly(StageName.MODEL_FETCH, StageName.DATASET_PREP, StageName.TRAIN,
              StageName.LORA_CONVERT, StageName.CHECKPOINT_CONVERT, StageName.ENGINE_BUILD,
              StageName.TRITON_REPO, StageName.ROLLOUT, StageName.BASELINE, StageName.BENCHMARK);
      assertThat(outcome.stages()).filteredOn(s -> s.state() != StageState.SKIPPED)
          .allSatisfy(s -> assertThat(s.state()).isEqualTo(StageState.SUCCEEDED));
      // Real programs ran on the fineflow-image stages; GPU stages and the load tools say simulated.
      StageStatus prep = stage(outcome, StageName.DATASET_PREP);
      assertThat(prep.result().simulated()).isFalse();
      assertThat(workspace.resolve(prep.result().artifacts().get(0).path().replaceFirst("^/workspace/", ""))).exists();
      assertThat(stage(outcome, StageName.TRAIN).result().simulated()).isTrue();
      // No internet on the dev node: model-fetch makes up its commit and says so.
      StageStatus fetch = stage(outcome, StageName.MODEL_FETCH);
      assertThat(fetch.result().simulated()).isTrue();
      assertThat(fetch.result().info().get("sha")).matches("[0-9a-f]{40}");
      assertThat(stage(outcome, StageName.ROLLOUT).result().simulated()).as("served by a simulated model server").isTrue();
      StageStatus bench = stage(outcome, StageName.BENCHMARK);
      assertThat(bench.result().simulated()).isTrue();
      Path report = workspace.resolve(bench.result().artifacts().stream().filter(a -> a.name().equals("benchmark-report"))
          .findFirst().orElseThrow().path().replaceFirst("^/workspace/", ""));
      assertThat(Files.readString(report)).contains("simulated", "data:image/png;base64");

      // `fineflow chat RUN` finds the rolled-out server through the run's rollout result.
      CommandLine cli = Main.commandLine();
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      cli.setOut(new PrintWriter(out));
      cli.setErr(new PrintWriter(err));
      int chat = cli.execute("chat", request.runId(), "--temporal", stack.connection().target(),
          "--prompt", "こんにちは");
      assertThat(chat).as(err.toString()).isEqualTo(ExitCode.OK);
      assertThat(out.toString()).isNotBlank();

      // `fineflow report RUN` reads the benchmark's results from the dev stack's workspace.
      int reported = cli.execute("report", request.runId(), "--temporal", stack.connection().target(),
          "--workspace", workspace.toString(), "--out", dir.resolve("run-report.html").toString());
      assertThat(reported).as(err.toString()).isEqualTo(ExitCode.OK);
      assertThat(Files.readString(dir.resolve("run-report.html")))
          .contains(request.runId(), outcome.specDigest(), "engine-build", "data:image/png;base64")
          // The spec read back from the run's history, and the stages' own simulated marks.
          .contains("· engine triton, float16, quantization none, max batch 4, LoRA r=8 · benchmarked ",
              "<p class=\"simulated\" role=\"note\">Simulated: the results of model-fetch, train,");
    }
  }

  private static StageStatus stage(RunOutcome outcome, StageName name) {
    return outcome.stages().stream().filter(s -> s.stage() == name).findFirst().orElseThrow();
  }
}
