package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workflows.plan.OutputPin;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code fineflow plan} does not pretend to know keys that the run completes with a sha. */
class PlanTablePendingKeysTest {

  @Test
  void thePlanSaysWhichKeysTheRunCompletes() throws Exception {
    Plan plan = Planner.plan(SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml"));

    String text = PlanTable.render(plan);

    assertThat(text).contains("model-fetch and dataset-prep run on every run (they read the"
        + " workspace, which this plan cannot see); the cache keys of train, lora-convert,"
        + " checkpoint-convert, engine-build, triton-repo, rollout, baseline, benchmark are completed at run"
        + " time with the sha they record: shown are the planned keys.");
  }

  @Test
  void aPinnedPlanHasNothingPending() throws Exception {
    Plan planned = Planner.plan(SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml"));
    Plan pinned = planned.pinned(List.of(
        new OutputPin(StageName.MODEL_FETCH, planned.stage(StageName.MODEL_FETCH).orElseThrow().cacheKey(),
            "a".repeat(40)),
        new OutputPin(StageName.DATASET_PREP, planned.stage(StageName.DATASET_PREP).orElseThrow().cacheKey(),
            "b".repeat(64))));

    assertThat(PlanTable.pendingKeys(pinned)).isEmpty();
    assertThat(PlanTable.render(pinned)).doesNotContain("$(DATASET_SHA)", "completed at run time");
  }
}
