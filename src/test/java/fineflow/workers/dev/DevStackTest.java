package fineflow.workers.dev;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workers.cli.ExitCode;
import fineflow.workers.cli.Main;
import fineflow.workers.client.RunClient;
import fineflow.workflows.pipeline.PipelineRequest;
import fineflow.workflows.pipeline.RunOutcome;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import fineflow.workflows.spec.SpecPatch;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
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
    }
  }
}
