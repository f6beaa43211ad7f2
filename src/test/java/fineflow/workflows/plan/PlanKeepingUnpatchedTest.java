package fineflow.workflows.plan;

import static fineflow.workflows.plan.StageName.BENCHMARK;
import static fineflow.workflows.plan.StageName.CHECKPOINT_CONVERT;
import static fineflow.workflows.plan.StageName.ENGINE_BUILD;
import static fineflow.workflows.plan.StageName.ROLLOUT;
import static fineflow.workflows.plan.StageName.TRAIN;
import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workflows.spec.PipelineSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A resume keeps what its patch leaves alone as the run planned it, even when the code that
 * planned the run keyed its stages otherwise (an upgrade between the pause and the resume).
 */
class PlanKeepingUnpatchedTest {
  private static final PipelineSpec SPEC = SeedSpecs.elyzaQloraTriton();
  private static final PipelineSpec PATCHED = SeedSpecs.with(SPEC, "engine.maxBatchSize", "8");

  @Test
  void withTheSameCodeTheResumePlanIsThePatchedPlan() {
    Plan planned = Planner.plan(PATCHED);
    assertThat(planned.keepingUnpatched(Planner.plan(SPEC), Planner.plan(SPEC))).isEqualTo(planned);
  }

  @Test
  void stagesThePatchLeavesAloneKeepTheirRecordedKeysAndTheChangedOnesReadThem() {
    Plan recorded = olderCode(Planner.plan(SPEC));
    Plan planned = Planner.plan(PATCHED);

    Plan resumed = planned.keepingUnpatched(Planner.plan(SPEC), recorded);

    // Everything before the engine is the run's own, keys, argv and all.
    for (StageName untouched : List.of(StageName.MODEL_FETCH, StageName.DATASET_PREP, TRAIN,
        StageName.LORA_CONVERT, CHECKPOINT_CONVERT)) {
      Stage kept = resumed.stage(untouched).orElseThrow();
      Stage was = recorded.stage(untouched).orElseThrow();
      assertThat(kept.cacheKey()).as("%s", untouched).isEqualTo(was.cacheKey());
      assertThat(kept.argv()).as("%s", untouched).isEqualTo(was.argv());
      assertThat(kept.params()).as("%s", untouched).isEqualTo(was.params());
      assertThat(kept.volumes()).as("%s", untouched).isEqualTo(was.volumes());
      assertThat(kept.produces()).as("%s", untouched).isEqualTo(was.produces());
    }
    // The engine is built anew, from the checkpoint the run converted.
    Stage engine = resumed.stage(ENGINE_BUILD).orElseThrow();
    assertThat(engine.cacheKey()).isEqualTo(planned.stage(ENGINE_BUILD).orElseThrow().cacheKey());
    String recordedCheckpoint = "checkpoint-convert-" + recorded.stage(CHECKPOINT_CONVERT).orElseThrow().shortKey();
    String codeCheckpoint = "checkpoint-convert-" + planned.stage(CHECKPOINT_CONVERT).orElseThrow().shortKey();
    assertThat(String.join(" ", engine.argv())).contains(recordedCheckpoint).doesNotContain(codeCheckpoint);
    assertThat(engine.volumes()).anyMatch(v -> v.mountPath().contains(recordedCheckpoint))
        .noneMatch(v -> v.mountPath().contains(codeCheckpoint));
    assertThat(String.join(" ", engine.argv())).contains("--max_batch_size 8");
    // What the patch changes downstream is the code's plan.
    assertThat(resumed.stage(ROLLOUT).orElseThrow().cacheKey())
        .isEqualTo(planned.stage(ROLLOUT).orElseThrow().cacheKey());
    assertThat(resumed.stage(BENCHMARK).orElseThrow().cacheKey())
        .isEqualTo(planned.stage(BENCHMARK).orElseThrow().cacheKey());
  }

  /** A timeout is in no key: the stage keeps its recorded key and runs with the patched timeout. */
  @Test
  void anUntouchedStageRunsAsThisCodePlansItUnderItsRecordedKey() {
    PipelineSpec longer = SeedSpecs.with(SPEC, "cluster.stageTimeoutSeconds", "{\"train\": 600}");
    Plan recorded = olderCode(Planner.plan(SPEC));

    Plan resumed = Planner.plan(longer).keepingUnpatched(Planner.plan(SPEC), recorded);

    Stage train = resumed.stage(TRAIN).orElseThrow();
    assertThat(train.cacheKey()).isEqualTo(recorded.stage(TRAIN).orElseThrow().cacheKey());
    assertThat(train.timeoutSeconds()).isEqualTo(600);
    assertThat(train.argv()).isEqualTo(recorded.stage(TRAIN).orElseThrow().argv());
  }

  @Test
  void theBenchmarkOfAPatchThatKeepsTheServerCallsTheRecordedServer() {
    PipelineSpec morePrompts = SeedSpecs.with(SPEC, "benchmark.outputTokens", "64");
    Plan recorded = olderCode(Planner.plan(SPEC));

    Plan resumed = Planner.plan(morePrompts).keepingUnpatched(Planner.plan(SPEC), recorded);

    Stage rollout = resumed.stage(ROLLOUT).orElseThrow();
    assertThat(rollout.cacheKey()).isEqualTo(recorded.stage(ROLLOUT).orElseThrow().cacheKey());
    String recordedService = ServingEndpoint.serviceName(recorded.pipeline(), rollout);
    assertThat(String.join(" ", resumed.stage(BENCHMARK).orElseThrow().argv())).contains(recordedService);
  }

  /**
   * The same plan as keyed by an older code: every key different, every output folder and
   * server name in the stages after it following (what a CacheKey version bump does).
   */
  private static Plan olderCode(Plan plan) {
    Map<String, String> renamed = new LinkedHashMap<>();
    UnaryOperator<String> sub = text -> {
      String out = text;
      for (Map.Entry<String, String> r : renamed.entrySet()) {
        out = out.replace(r.getKey(), r.getValue());
      }
      return out;
    };
    List<Stage> stages = new ArrayList<>();
    for (Stage s : plan.stages()) {
      String key = new StringBuilder(s.cacheKey()).reverse().toString();
      // Its own output folder and server are named after its key, as the later stages' inputs.
      renamed.put(s.name().id() + "-" + s.shortKey(), s.name().id() + "-" + key.substring(0, 12));
      if (s.kind() == StageKind.DEPLOYMENT) {
        renamed.put(ServingEndpoint.serviceName(plan.pipeline(), s),
            ServingEndpoint.serviceName(plan.pipeline(), s.name(), key.substring(0, 12)));
      }
      Stage older = new Stage(s.name(), s.kind(), s.image(), s.argv().stream().map(sub).toList(),
          s.env(), s.secretEnv(), s.resources(),
          s.volumes().stream().map(v -> new VolumeMount(sub.apply(v.subPath()),
              sub.apply(v.mountPath()), v.readOnly())).toList(),
          s.timeoutSeconds(), s.expectedSeconds(), s.consumes(),
          s.produces().stream().map(a -> new ArtifactRef(a.name(), sub.apply(a.path()))).toList(), key, s.summary(),
          s.files(), s.imageCopies(), StageParams.substituted(s.params(), sub));
      stages.add(older);
    }
    return new Plan(plan.pipeline(), plan.specDigest(), stages);
  }
}
