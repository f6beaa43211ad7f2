package fineflow.workflows.plan;

import static fineflow.workflows.plan.StageName.BASELINE;
import static fineflow.workflows.plan.StageName.BENCHMARK;
import static fineflow.workflows.plan.StageName.CHECKPOINT_CONVERT;
import static fineflow.workflows.plan.StageName.DATASET_PREP;
import static fineflow.workflows.plan.StageName.ENGINE_BUILD;
import static fineflow.workflows.plan.StageName.LORA_CONVERT;
import static fineflow.workflows.plan.StageName.MODEL_FETCH;
import static fineflow.workflows.plan.StageName.ROLLOUT;
import static fineflow.workflows.plan.StageName.TRAIN;
import static fineflow.workflows.plan.StageName.TRITON_REPO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fineflow.workflows.spec.PipelineSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Recorded digests key the stages that read them, and only those (issue 13). */
class PlanPinnedTest {
  /**
   * The manual run's QLoRA on Triton, int4 AWQ: checkpoint-convert calibrates on the training
   * split.
   */
  private static final PipelineSpec ELYZA = SeedSpecs.elyzaQloraTriton();
  private static final Plan PLANNED = Planner.plan(ELYZA);
  private static final String MODEL = "0123456789abcdef0123456789abcdef01234567";
  private static final String DATA_V1 = "1a2b".repeat(16);
  private static final String DATA_V2 = "3c4d".repeat(16);

  private static OutputPin model() {
    return new OutputPin(MODEL_FETCH, PLANNED.stage(MODEL_FETCH).orElseThrow().cacheKey(), MODEL);
  }

  private static OutputPin data(String sha) {
    return new OutputPin(DATASET_PREP, PLANNED.stage(DATASET_PREP).orElseThrow().cacheKey(), sha);
  }

  private static String key(Plan plan, StageName stage) {
    return plan.stage(stage).orElseThrow().cacheKey();
  }

  @Test
  void anotherDatasetShaReKeysExactlyTheStagesThatReadTheDataset() {
    Plan v1 = PLANNED.pinned(List.of(model(), data(DATA_V1)));
    Plan v2 = PLANNED.pinned(List.of(model(), data(DATA_V2)));

    PlanDiff diff = PlanDiff.between(v1, v2);

    assertThat(diff.withChange(PlanDiff.Change.RERUN)).containsExactly(TRAIN, LORA_CONVERT,
        CHECKPOINT_CONVERT, ENGINE_BUILD, TRITON_REPO, ROLLOUT, BENCHMARK);
    assertThat(diff.stages()).filteredOn(e -> e.change() == PlanDiff.Change.RERUN)
        .extracting(PlanDiff.Entry::why).containsOnly(
            "dataset-prep's output changed (sha 1a2b1a2b1a2b → 3c4d3c4d3c4d)");
    assertThat(diff.checked()).containsExactly(MODEL_FETCH, DATASET_PREP);
    // dataset-prep's own key is the planned one: what it recorded cannot key itself.
    assertThat(key(v2, DATASET_PREP)).isEqualTo(key(PLANNED, DATASET_PREP));
  }

  @Test
  void theDigestNamesTheFolderTheReadersReadAndTheirOutputsFollowTheirKeys() {
    Plan pinned = PLANNED.pinned(List.of(model(), data(DATA_V1)));
    String data = Workspace.outputDir(DATASET_PREP, key(PLANNED, DATASET_PREP)) + "/" + DATA_V1;
    Stage train = pinned.stage(TRAIN).orElseThrow();

    TrainParams params = train.params(TrainParams.class);
    assertThat(params.trainFile()).isEqualTo(data + "/train.jsonl");
    assertThat(params.evalFile()).isEqualTo(data + "/validation.jsonl");
    assertThat(params.outputDir()).isEqualTo(Workspace.outputDir(TRAIN, train.cacheKey()));
    assertThat(pinned.stage(CHECKPOINT_CONVERT).orElseThrow().argv())
        .containsSequence("--calib_dataset", data + "/calibration");
    assertThat(pinned.stage(DATASET_PREP).orElseThrow().produces())
        .extracting(ArtifactRef::path).allSatisfy(p -> assertThat(p).startsWith(data + "/"));
    assertThat(pinned.stages()).allSatisfy(s -> assertThat(String.join(" ", s.argv()))
        .doesNotContain(OutputPin.MODEL_SHA, OutputPin.DATASET_SHA));
    assertThat(pinned.pins()).containsExactly(model(), data(DATA_V1));
  }

  @Test
  void pinsFoldInPipelineOrderWhateverOrderTheyCome() {
    assertThat(PLANNED.pinned(List.of(data(DATA_V1), model())))
        .isEqualTo(PLANNED.pinned(List.of(model(), data(DATA_V1))));
    assertThat(key(PLANNED.pinned(List.of(model(), data(DATA_V1))), TRAIN))
        .isEqualTo(CacheKey.pinned(key(PLANNED, TRAIN), List.of(model(), data(DATA_V1))))
        .isNotEqualTo(key(PLANNED.pinned(List.of(model())), TRAIN));
  }

  @Test
  void aPinForAnotherKeyOfItsStageIsLeftOut() {
    OutputPin stale = new OutputPin(DATASET_PREP, "f".repeat(64), DATA_V1);
    Plan pinned = PLANNED.pinned(List.of(model(), stale));

    assertThat(pinned.pins()).containsExactly(model());
    assertThat(String.join(" ", pinned.stage(TRAIN).orElseThrow().argv())).contains(OutputPin.DATASET_SHA);
  }

  @Test
  void aPinnedPlanIsRepinnedFromThePlannedOne() {
    Plan pinned = PLANNED.pinned(List.of(model()));
    assertThatThrownBy(() -> pinned.pinned(List.of(data(DATA_V1))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("pin the planned plan");
  }

  @Test
  void onlyModelFetchAndDatasetPrepRecordDigests() {
    assertThatThrownBy(() -> new OutputPin(TRAIN, "k", DATA_V1))
        .hasMessageContaining("train does not record a content digest");
    assertThatThrownBy(() -> new OutputPin(DATASET_PREP, "k", "main"))
        .hasMessageContaining("dataset-prep recorded 'main', not a commit sha");
    assertThat(PLANNED.readersOf(DATASET_PREP)).containsExactly(TRAIN, LORA_CONVERT,
        CHECKPOINT_CONVERT, ENGINE_BUILD, TRITON_REPO, ROLLOUT, BENCHMARK);
  }

  /**
   * A server's Service is named by its key, so a re-keyed rollout (or baseline) serves under a
   * new name: the benchmark must measure that one, not the name the planned key gave (found by
   * ten identical runs on the dev stack: the benchmark's --url named the planned rollout).
   */
  @Test
  void theBenchmarkMeasuresTheServicesOfTheReKeyedServers() {
    Plan pinned = PLANNED.pinned(List.of(model(), data(DATA_V1)));
    List<String> argv = pinned.stage(BENCHMARK).orElseThrow().argv();
    Stage rollout = pinned.stage(ROLLOUT).orElseThrow();

    assertThat(key(pinned, ROLLOUT)).isNotEqualTo(key(PLANNED, ROLLOUT));
    assertThat(String.join(" ", argv)).contains(ServingEndpoint.serviceName(pinned.pipeline(), rollout))
        .doesNotContain(ServingEndpoint.serviceName(PLANNED.pipeline(), PLANNED.stage(ROLLOUT).orElseThrow()));
    pinned.stage(BASELINE).ifPresent(baseline -> assertThat(String.join(" ", argv))
        .contains(ServingEndpoint.serviceName(pinned.pipeline(), baseline)));
  }
}
