package fineflow.workers.dev;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workers.client.RunClient;
import fineflow.workflows.pipeline.PipelineRequest;
import fineflow.workflows.pipeline.RunOutcome;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import fineflow.workflows.spec.SpecPatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevStackTest {
  @TempDir Path dir;

  @Test
  void runsTheDemoPipelineEndToEnd() throws Exception {
    PipelineSpec spec = SpecPatch.apply(
        SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml"),
        List.of("benchmark.enabled=false"));
    DevOptions options = new DevOptions(0, 0, dir.resolve("workspace"), 1000, Duration.ofMillis(200),
        null, 0, "fineflow", null);
    try (DevStack stack = DevStack.start(options)) {
      RunClient runs = new RunClient(stack.connection());
      PipelineRequest request = runs.submit(spec, null, "fineflow");
      RunOutcome outcome;
      try {
        outcome = runs.untyped(request.runId()).getResult(60, TimeUnit.SECONDS, RunOutcome.class);
      } finally {
        RunProgress progress = runs.progress(request.runId());
        progress.stages().forEach(s -> System.out.println("STAGE " + s.stage() + " " + s.state() + " "
            + s.lastError() + " " + s.logTail()));
      }
      assertThat(outcome.stages()).isNotEmpty();
    }
  }
}
