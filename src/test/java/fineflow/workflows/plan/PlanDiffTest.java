package fineflow.workflows.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import fineflow.workflows.plan.PlanDiff.Change;
import fineflow.workflows.plan.PlanDiff.Entry;
import fineflow.workflows.spec.PipelineSpec;
import org.junit.jupiter.api.Test;

class PlanDiffTest {
  private static final PipelineSpec ELYZA = SeedSpecs.elyzaQloraTriton();

  @Test
  void samePlanKeepsEverything() {
    PlanDiff diff = PlanDiff.between(Planner.plan(ELYZA), Planner.plan(ELYZA));
    assertThat(diff.unchanged()).isTrue();
    assertThat(diff.toRun()).isEmpty();
    assertThat(diff.stages()).hasSize(9).allSatisfy(e -> assertThat(e.beforeKey()).isEqualTo(e.afterKey()));
  }

  @Test
  void resumeWithALargerBatchKeepsTraining() {
    Plan before = Planner.plan(ELYZA);
    Plan after = Planner.plan(SeedSpecs.with(ELYZA, "engine.maxBatchSize", "8"));
    PlanDiff diff = PlanDiff.between(before, after);
    assertThat(diff.kept()).containsExactly(StageName.MODEL_FETCH, StageName.DATASET_PREP, StageName.TRAIN,
        StageName.LORA_CONVERT, StageName.CHECKPOINT_CONVERT);
    assertThat(diff.firstToRun()).contains(StageName.ENGINE_BUILD);
    Entry engine = diff.stages().get(5);
    assertThat(engine.stage()).isEqualTo(StageName.ENGINE_BUILD);
    assertThat(engine.change()).isEqualTo(Change.RERUN);
    assertThat(engine.beforeKey()).isEqualTo(before.stage(StageName.ENGINE_BUILD).orElseThrow().cacheKey());
    assertThat(engine.afterKey()).isEqualTo(after.stage(StageName.ENGINE_BUILD).orElseThrow().cacheKey());
  }

  @Test
  void addedAndRemovedStagesInPipelineOrder() {
    Plan triton = Planner.plan(ELYZA);
    Plan vllm = Planner.plan(SeedSpecs.with(
        SeedSpecs.with(ELYZA, "serving.backend", "\"vllm\""), "benchmark.baseline", "\"vllm\""));
    PlanDiff diff = PlanDiff.between(triton, vllm);
    assertThat(diff.stages()).extracting(Entry::stage, Entry::change).containsExactly(
        tuple(StageName.MODEL_FETCH, Change.KEPT),
        tuple(StageName.DATASET_PREP, Change.KEPT),
        tuple(StageName.TRAIN, Change.KEPT),
        tuple(StageName.LORA_CONVERT, Change.REMOVED),
        tuple(StageName.CHECKPOINT_CONVERT, Change.REMOVED),
        tuple(StageName.ENGINE_BUILD, Change.REMOVED),
        tuple(StageName.TRITON_REPO, Change.REMOVED),
        tuple(StageName.ROLLOUT, Change.RERUN),
        tuple(StageName.BASELINE, Change.ADDED),
        tuple(StageName.BENCHMARK, Change.RERUN));
    assertThat(diff.toRun()).containsExactly(StageName.ROLLOUT, StageName.BASELINE,
        StageName.BENCHMARK);
    assertThat(diff.removed()).hasSize(4);
    Entry added = diff.stages().get(8);
    assertThat(added.beforeKey()).isNull();
    assertThat(added.afterKey()).isNotNull();
  }
}
