package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workflows.plan.OutputPin;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.PlanDiff;
import fineflow.workflows.plan.PlanDiff.Prior;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import fineflow.workflows.spec.SpecPatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The resume diff as printed: "keep … (result reused)" only where a recorded result exists. */
class PlanDiffTextTest {
  /** A demo run paused at engine-build: results up to checkpoint-convert, engine-build failed. */
  static Map<StageName, Prior> pausedAtEngineBuild(Plan plan) {
    Map<StageName, Prior> priors = new EnumMap<>(StageName.class);
    boolean before = true;
    for (var stage : plan.stages()) {
      if (stage.name() == StageName.ENGINE_BUILD) {
        priors.put(stage.name(), Prior.FAILED);
        before = false;
      } else {
        priors.put(stage.name(), before ? Prior.RESULT : Prior.NOT_RUN);
      }
    }
    return priors;
  }

  static Plan demo(List<String> set) throws Exception {
    PipelineSpec spec = SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml");
    return Planner.plan(SpecPatch.apply(spec, set));
  }

  @Test
  void stagesThatNeverRanRunAndTheFailedOneIsRetried() throws Exception {
    Plan before = demo(List.of());
    Plan after = demo(List.of("engine.maxBatchSize=8"));

    String text = PlanDiffText.render(PlanDiff.between(before, after).withPriors(pausedAtEngineBuild(before)));

    assertThat(text).contains("  keep   train              ", "  retry  engine-build       ",
        "  run    triton-repo        ", "  run    benchmark          ");
    assertThat(text.lines().filter(l -> l.contains("(result reused)")))
        .extracting(l -> l.trim().split("\\s+")[1])
        .containsExactly("train", "lora-convert", "checkpoint-convert");
    // They read workspace files no key covers: they run again, and re-key what changed.
    assertThat(text).contains("  check  model-fetch        ", "  check  dataset-prep       ",
        "(runs again: reads the dataset file again, and the stages after it re-run if its output's"
            + " sha changed)\n");
    assertThat(text).contains("  retry  engine-build       "
        + before.stage(StageName.ENGINE_BUILD).orElseThrow().cacheKey().substring(0, 12) + " → "
        + after.stage(StageName.ENGINE_BUILD).orElseThrow().cacheKey().substring(0, 12)
        + " (its command changed)\n");
    assertThat(text).contains("  run    triton-repo        ", "(engine-build's command changed)");
    assertThat(text).doesNotContain("rerun");
  }

  @Test
  void aResumeWithoutChangesStillRunsTheStagesWithoutResults() throws Exception {
    Plan plan = demo(List.of());

    String text = PlanDiffText.render(PlanDiff.between(plan, plan).withPriors(pausedAtEngineBuild(plan)));

    assertThat(text).contains("  retry  engine-build       " + plan.stage(StageName.ENGINE_BUILD)
        .orElseThrow().cacheKey().substring(0, 12) + "\n");
    assertThat(text).containsPattern("  run    rollout +[0-9a-f]{12}\n");
    assertThat(text.lines().filter(l -> l.startsWith("  keep"))).hasSize(3)
        .allSatisfy(l -> assertThat(l).endsWith("(result reused)"));
    assertThat(text.lines().filter(l -> l.startsWith("  check"))).hasSize(2);
  }

  /** The run's plan pinned to another dataset sha: the re-keyed stages name it, with both shas. */
  @Test
  void aStageReKeyedByANewDatasetShaSaysSo() throws Exception {
    Plan planned = demo(List.of());
    String prep = planned.stage(StageName.DATASET_PREP).orElseThrow().cacheKey();
    Plan before = planned.pinned(List.of(new OutputPin(StageName.DATASET_PREP, prep, "1a2b".repeat(16))));
    Plan after = planned.pinned(List.of(new OutputPin(StageName.DATASET_PREP, prep, "3c4d".repeat(16))));
    Map<StageName, Prior> all = new EnumMap<>(StageName.class);
    before.stages().forEach(s -> all.put(s.name(), Prior.RESULT));

    String text = PlanDiffText.render(PlanDiff.between(before, after).withPriors(all));

    assertThat(text).containsPattern("  rerun  train +[0-9a-f]{12} → [0-9a-f]{12}"
        + " \\(dataset-prep's output changed \\(sha 1a2b1a2b1a2b → 3c4d3c4d3c4d\\)\\)\n");
    assertThat(text).contains("  check  model-fetch");
  }

  /**
   * A run paused at its failed benchmark released the baseline: the resume launches it again
   * before the benchmark re-runs, and says so (issue 13).
   */
  @Test
  void aReleasedBaselineRunsAgainWithTheBenchmark() throws Exception {
    Plan plan = demo(List.of());
    Map<StageName, Prior> priors = new EnumMap<>(StageName.class);
    plan.stages().forEach(s -> priors.put(s.name(), Prior.RESULT));
    priors.put(StageName.BASELINE, Prior.RELEASED);
    priors.put(StageName.BENCHMARK, Prior.FAILED);

    String text = PlanDiffText.render(PlanDiff.between(plan, plan).withPriors(priors));

    assertThat(text).contains("  run    baseline           " + plan.stage(StageName.BASELINE).orElseThrow()
        .cacheKey().substring(0, 12) + " (its server was released: launched again for the benchmark)\n");
    assertThat(text).contains("  retry  benchmark          ");
    assertThat(text).contains("  keep   rollout            ");
  }

  @Test
  void aStageWithAResultAndANewKeyIsRerun() throws Exception {
    Plan before = demo(List.of());
    Plan after = demo(List.of("training.epochs=2"));
    Map<StageName, Prior> all = new EnumMap<>(StageName.class);
    before.stages().forEach(s -> all.put(s.name(), Prior.RESULT));

    String text = PlanDiffText.render(PlanDiff.between(before, after).withPriors(all));

    assertThat(text).contains("  check  dataset-prep", "  rerun  train              "
        + before.stage(StageName.TRAIN).orElseThrow().cacheKey().substring(0, 12) + " → ");
    assertThat(text).containsPattern("  rerun  train +[0-9a-f]{12} → [0-9a-f]{12} \\(its command changed\\)\n");
    assertThat(text).containsPattern("  rerun  lora-convert +[0-9a-f]{12} → [0-9a-f]{12} \\(train's command changed\\)\n");
  }
}
