package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
        .containsExactly("model-fetch", "dataset-prep", "train", "lora-convert", "checkpoint-convert");
    assertThat(text).doesNotContain("rerun");
  }

  @Test
  void aResumeWithoutChangesStillRunsTheStagesWithoutResults() throws Exception {
    Plan plan = demo(List.of());

    String text = PlanDiffText.render(PlanDiff.between(plan, plan).withPriors(pausedAtEngineBuild(plan)));

    assertThat(text).contains("  retry  engine-build       " + plan.stage(StageName.ENGINE_BUILD)
        .orElseThrow().cacheKey().substring(0, 12) + "\n");
    assertThat(text).containsPattern("  run    rollout +[0-9a-f]{12}\n");
    assertThat(text.lines().filter(l -> l.startsWith("  keep"))).hasSize(5)
        .allSatisfy(l -> assertThat(l).endsWith("(result reused)"));
  }

  @Test
  void aStageWithAResultAndANewKeyIsRerun() throws Exception {
    Plan before = demo(List.of());
    Plan after = demo(List.of("training.epochs=2"));
    Map<StageName, Prior> all = new EnumMap<>(StageName.class);
    before.stages().forEach(s -> all.put(s.name(), Prior.RESULT));

    String text = PlanDiffText.render(PlanDiff.between(before, after).withPriors(all));

    assertThat(text).contains("  keep   dataset-prep", "  rerun  train              "
        + before.stage(StageName.TRAIN).orElseThrow().cacheKey().substring(0, 12) + " → ");
  }
}
