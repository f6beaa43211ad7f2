package fineflow.engines.temporal;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.activities.kubernetes.FineflowLabels;
import fineflow.workers.client.RunAudit;
import fineflow.workers.client.RunClient;
import fineflow.workers.dev.DevOptions;
import fineflow.workers.dev.DevStack;
import fineflow.workers.dev.RealTemporal;
import fineflow.workers.engines.TemporalDevServer;
import fineflow.workers.worker.AwaitMode;
import fineflow.workflows.pipeline.PipelineRequest;
import fineflow.workflows.pipeline.ResumeRequest;
import fineflow.workflows.pipeline.RunOutcome;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.pipeline.RunState;
import fineflow.workflows.pipeline.StageLaunch;
import fineflow.workflows.pipeline.StageState;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes on the real server: a worker killed with SIGKILL in the middle of a stage, and the
 * Temporal server killed with SIGKILL under a paused and a running run, then restarted on the
 * same SQLite file.
 */
@Tag("real-temporal")
class DurabilityTest {
  @TempDir Path dir;

  static PipelineSpec demo() throws Exception {
    return SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml");
  }

  @Test
  void aWorkerKilledMidStageIsReplacedAndTheStageJobIsAdoptedNotLaunchedAgain() throws Exception {
    TemporalDevServer server = RealTemporalServer.start(dir);
    // Simulated stages take 4 s, so the kill lands while training runs; the worker polls
    // (each await attempt is one short status read), so the next attempt goes to the new worker.
    try (server; DevStack stack = DevStack.on(RealTemporal.attach(server), new DevOptions(0, 0,
        dir.resolve("workspace"), 1000, Duration.ofSeconds(4), null, 0, "fineflow", AwaitMode.poll), false)) {
      Path log = dir.resolve("child-worker.log");
      Process child = ChildWorker.start(server.target(), stack.kubernetes().url(), "fineflow", log);
      RunClient runs = new RunClient(stack.connection());
      PipelineRequest run = runs.submit(demo(), null, "fineflow");
      try {
        Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
          RunProgress p = runs.progress(run.runId());
          return p.stage(StageName.TRAIN).map(s -> s.state() == StageState.RUNNING && s.launch().objectName() != null)
              .orElse(false);
        });
      } finally {
        child.destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
      }
      assertThat(child.isAlive()).isFalse();
      assertThat(Files.readString(log)).contains("worker started");

      stack.startWorker();
      RunOutcome outcome = runs.untyped(run.runId()).getResult(12, TimeUnit.MINUTES, RunOutcome.class);

      assertThat(outcome.stages()).filteredOn(s -> s.state() != StageState.SKIPPED)
          .allSatisfy(s -> assertThat(s.state()).isEqualTo(StageState.SUCCEEDED));
      RunProgress done = runs.progress(run.runId());
      List<StageLaunch> train = done.launchesOf(StageName.TRAIN);
      assertThat(train).singleElement().satisfies(l -> assertThat(l.outcome()).isEqualTo(StageLaunch.Outcome.SUCCEEDED));
      assertThat(stack.kubernetes().client().batch().v1().jobs().inNamespace("fineflow")
          .withLabel(FineflowLabels.RUN, run.runId()).withLabel(FineflowLabels.STAGE, "train").list().getItems())
          .as("one Job for training: the new worker adopted it").hasSize(1);
    }
  }

  @Test
  void aKilledServerRestartedOnItsSqliteFileStillHasBothRunsAndTheyGoOn() throws Exception {
    TemporalDevServer.Settings settings = RealTemporalServer.settings(dir);
    TemporalDevServer server = RealTemporalServer.start(settings);
    TemporalDevServer[] current = {server};
    try (DevStack stack = DevStack.on(RealTemporal.attach(server), new DevOptions(0, 0, dir.resolve("workspace"),
        1000, Duration.ofSeconds(3), "engine-build", 1, "fineflow", null), true)) {
      RunClient runs = new RunClient(stack.connection());
      PipelineRequest paused = runs.submit(demo(), null, "fineflow");
      Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(300))
          .until(() -> runs.progress(paused.runId()).runState() == RunState.PAUSED);
      // The same spec: the stages the paused run finished are cached, engine-build runs (and succeeds).
      PipelineRequest running = runs.submit(demo(), null, "fineflow");
      StageName[] runningStage = {null};
      Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
        RunProgress p = runs.progress(running.runId());
        runningStage[0] = p.currentStage();
        return p.currentStage() != null && p.stage(p.currentStage()).map(s -> s.state() == StageState.RUNNING
            && s.launch().objectName() != null).orElse(false);
      });
      int pausedEvents = runs.history(paused.runId()).size();
      int runningEvents = runs.history(running.runId()).size();

      server.kill();
      assertThat(server.isAlive()).isFalse();
      current[0] = TemporalDevServer.start(settings);

      // Both runs are still there, with every event they had; the paused one still waits.
      Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .until(() -> runs.progress(paused.runId()).runState() == RunState.PAUSED);
      assertThat(runs.history(paused.runId()).size()).isGreaterThanOrEqualTo(pausedEvents);
      assertThat(runs.history(running.runId()).size()).isGreaterThanOrEqualTo(runningEvents);

      runs.resume(paused.runId(), ResumeRequest.assignments(List.of("engine.maxBatchSize=8")));
      for (PipelineRequest run : List.of(paused, running)) {
        RunOutcome outcome = runs.untyped(run.runId()).getResult(12, TimeUnit.MINUTES, RunOutcome.class);
        // The second run reuses what the first one built before it paused: cached.
        assertThat(outcome.stages()).filteredOn(s -> s.state() != StageState.SKIPPED)
            .allSatisfy(s -> assertThat(s.state()).isIn(StageState.SUCCEEDED, StageState.CACHED));
      }
      RunAudit audit = RunAudit.of(runs, paused.runId());
      assertThat(audit.timeline()).extracting(RunAudit.Moment::event)
          .anySatisfy(e -> assertThat(e).startsWith("paused at engine-build"))
          .anySatisfy(e -> assertThat(e).startsWith("resumed as revision 2: engine.maxBatchSize=8"));
      assertThat(runs.progress(running.runId()).launchesOf(runningStage[0]))
          .as("the stage that ran through the crash was launched once").hasSize(1);
    } finally {
      current[0].close();
    }
  }
}
