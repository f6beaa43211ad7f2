package fineflow.workflows.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.StageProgress;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageKind;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import io.temporal.activity.ActivityOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure pieces: activity options, run ids, the summary line and the progress merge. */
class PipelineOptionsTest {
  private final PipelineSpec spec = TestPlans.spec("dazai");

  private Stage stage(StageName name, long expectedSeconds) {
    return TestPlans.plan(spec, "v1", Map.of(name, expectedSeconds)).stage(name).orElseThrow();
  }

  @Test
  void theAwaitIntervalIsATwentiethOfTheExpectedDurationWithinFiveToSixtySeconds() {
    assertThat(StageActivityOptions.awaitInterval(stage(StageName.TRITON_REPO, 0)))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(StageActivityOptions.awaitInterval(stage(StageName.LORA_CONVERT, 600)))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(StageActivityOptions.awaitInterval(stage(StageName.TRAIN, 1800)))
        .isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void theAwaitRetriesOnlyWhileTheStageRunsOrTheApiFailsUntilTheStageTimeout() {
    Stage train = stage(StageName.TRAIN, 1800);
    ActivityOptions await = StageActivityOptions.remote(train).get(StageActivityOptions.AWAIT);

    assertThat(await.getSummary()).isEqualTo(train.summary());
    // The stage's 12 h and a grace, so the cluster's own deadline verdict comes first.
    assertThat(await.getScheduleToCloseTimeout()).isEqualTo(Duration.ofHours(12).plusMinutes(2));
    assertThat(await.getRetryOptions().getMaximumAttempts()).isZero();
    assertThat(await.getRetryOptions().getBackoffCoefficient()).isEqualTo(1.0);
    assertThat(await.getRetryOptions().getMaximumInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(await.getRetryOptions().getDoNotRetry())
        .contains(FailureType.nonRetryableTypes())
        .contains(FailureType.TRANSIENT.type())
        .doesNotContain(FailureType.STILL_RUNNING.type());
    assertThat(StageActivityOptions.local(train)).containsOnlyKeys(
        StageActivityOptions.LOOKUP_CACHE, StageActivityOptions.LAUNCH,
        StageActivityOptions.RECORD_CACHE);
    assertThat(StageActivityOptions.local(train).values()).allSatisfy(options ->
        assertThat(options.getRetryOptions().getDoNotRetry())
            .contains(FailureType.nonRetryableTypes()));
  }

  @Test
  void relaunchesWaitLongerEachTime() {
    StageRetryPolicy job = StageRetryPolicy.forKind(StageKind.JOB);
    assertThat(job.delayBefore(2)).isEqualTo(Duration.ofSeconds(30));
    assertThat(job.delayBefore(3)).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void runIdsAreTheNameAndAShortHashWithinFortyCharacters() {
    String id = RunId.of("dazai", "ab12", "2026-11-26T01:00:00Z");

    assertThat(id).matches("dazai-[0-9a-f]{8}");
    assertThat(RunId.of("dazai", "ab12", "2026-11-26T01:00:00Z")).isEqualTo(id);
    assertThat(RunId.of("dazai", "ab12", "2026-11-26T01:00:01Z")).isNotEqualTo(id);
    assertThat(RunId.of("dazai", "cd34", "2026-11-26T01:00:00Z")).isNotEqualTo(id);
    String long_ = RunId.of("a-very-long-pipeline-name-that-goes-on-and-on", "ab12", "n");
    assertThat(long_).hasSizeLessThanOrEqualTo(RunId.MAX_LENGTH).doesNotContain("--");
    assertThat(RunId.of(null, "ab12", "n")).startsWith("pipeline-");
    assertThatThrownBy(() -> RunId.requireValid("Dazai_Run"))
        .hasMessageContaining("lower-case letters");
  }

  @Test
  void theSummaryNamesTheTrainingTheEngineAndTheBackend() throws IOException {
    PipelineSpec demo = SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml");

    assertThat(RunSummary.of(demo)).isEqualTo("lora fine-tune of HuggingFaceTB/SmolLM2-135M-Instruct"
        + " (r=8, 1 epochs) → TensorRT-LLM engine float16 batch 4 → triton → benchmark");
  }

  @Test
  void theLatestLineGoesOnTheRunningStageOnly() {
    Plan plan = TestPlans.plan(spec, "v1");
    PipelineState state = new PipelineState(new PipelineRequest("dazai-1", "ml", spec, plan),
        Instant.EPOCH);
    Stage prep = plan.stage(StageName.DATASET_PREP).orElseThrow();
    Stage train = plan.stage(StageName.TRAIN).orElseThrow();
    state.launching(prep, Instant.EPOCH);
    state.launching(train, Instant.EPOCH);
    RunProgress table = state.progress();

    RunProgress merged = ProgressView.merge(table,
        new StageProgress("Running", "pod-1", "{\"step\":3}"));

    assertThat(merged.stage(StageName.TRAIN).orElseThrow().progress()).isEqualTo("{\"step\":3}");
    assertThat(merged.stage(StageName.TRAIN).orElseThrow().launch().podName()).isEqualTo("pod-1");
    assertThat(merged.stage(StageName.DATASET_PREP).orElseThrow().progress()).isNull();
    assertThat(ProgressView.merge(table, null)).isEqualTo(table);
  }
}
