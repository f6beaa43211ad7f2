package fineflow.workflows.plan;

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

import fineflow.workflows.spec.PipelineSpec;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A changed field re-runs the first stage whose command it changes and what reads from it. */
class CacheKeyTest {
  private static final PipelineSpec ELYZA = SeedSpecs.elyzaQloraTriton();
  private static final List<StageName> AFTER_REPO = List.of(TRITON_REPO, ROLLOUT, BENCHMARK);

  static Stream<Arguments> changes() {
    return Stream.of(
        // checkpoint-convert calibrates on dataset-prep's training split (int4 AWQ).
        Arguments.of("dataset.seed", "7", concat(List.of(DATASET_PREP, TRAIN, LORA_CONVERT,
            CHECKPOINT_CONVERT, ENGINE_BUILD), AFTER_REPO)),
        Arguments.of("dataset.validationSplit", "0.1", concat(List.of(DATASET_PREP, TRAIN,
            LORA_CONVERT, CHECKPOINT_CONVERT, ENGINE_BUILD), AFTER_REPO)),
        // dataset-prep rejects records longer than the engine accepts.
        Arguments.of("engine.maxInputLen", "1024", concat(List.of(DATASET_PREP, TRAIN,
            LORA_CONVERT, CHECKPOINT_CONVERT, ENGINE_BUILD), AFTER_REPO)),
        Arguments.of("training.lora.r", "8", concat(List.of(TRAIN, LORA_CONVERT), AFTER_REPO)),
        Arguments.of("training.epochs", "2", concat(List.of(TRAIN, LORA_CONVERT), AFTER_REPO)),
        Arguments.of("training.learningRate", "0.0001",
            concat(List.of(TRAIN, LORA_CONVERT), AFTER_REPO)),
        Arguments.of("engine.lora.maxRank", "16",
            concat(List.of(LORA_CONVERT, ENGINE_BUILD), AFTER_REPO)),
        Arguments.of("engine.weightOnlyPrecision", "\"int8\"",
            concat(List.of(CHECKPOINT_CONVERT, ENGINE_BUILD), AFTER_REPO)),
        Arguments.of("engine.maxBatchSize", "8", concat(List.of(ENGINE_BUILD), AFTER_REPO)),
        Arguments.of("engine.maxSeqLen", "2560", concat(List.of(ENGINE_BUILD), AFTER_REPO)),
        Arguments.of("serving.kvCacheFreeGpuMemFraction", "0.8", AFTER_REPO),
        Arguments.of("serving.instanceCounts.preprocessing", "2", AFTER_REPO),
        // triton-repo copies its skeleton out of the serving image.
        Arguments.of("serving.image", "\"nvcr.io/nvidia/tritonserver:25.10-trtllm-python-py3\"",
            AFTER_REPO),
        Arguments.of("benchmark.concurrency", "[1, 2, 4]", List.of(BENCHMARK)),
        Arguments.of("benchmark.outputTokens", "128", List.of(BENCHMARK)),
        // Where a run happens or what it is called does not change what it computes.
        Arguments.of("metadata.description", "\"another try\"", List.of()),
        Arguments.of("cluster.namespace", "\"ml-team\"", List.of()),
        Arguments.of("cluster.gpuMemoryGib", "94.0", List.of()),
        Arguments.of("model.hfTokenSecret", "\"rotated-token\"", List.of()));
  }

  @ParameterizedTest(name = "{0}={1} re-runs {2}")
  @MethodSource("changes")
  void changedFieldReRunsExactlyTheStagesDownstream(String field, String value,
      List<StageName> rerun) {
    PlanDiff diff = PlanDiff.between(Planner.plan(ELYZA),
        Planner.plan(SeedSpecs.with(ELYZA, field, value)));
    assertThat(diff.toRun()).containsExactlyElementsOf(rerun);
    assertThat(diff.removed()).isEmpty();
    assertThat(diff.firstToRun()).isEqualTo(rerun.stream().findFirst());
    assertThat(diff.unchanged()).isEqualTo(rerun.isEmpty());
  }

  @Test
  void samePlanForTheSameSpec() {
    assertThat(Planner.plan(SeedSpecs.elyzaQloraTriton())).isEqualTo(Planner.plan(ELYZA));
    assertThat(Planner.plan(SeedSpecs.gptOssTrtllmServe()))
        .isEqualTo(Planner.plan(SeedSpecs.gptOssTrtllmServe()));
  }

  /**
   * A pinned key: a changed key re-runs every cached stage of every user, so a change to the
   * hashing must be deliberate. Env and files are immutable maps, whose iteration order differs
   * between JVM runs; only a pinned value catches a hash that depends on it.
   */
  @Test
  void keyIsStableAcrossJvmRuns() {
    StageDraft draft = new StageDraft(MODEL_FETCH, StageKind.JOB, "img:1",
        new ModelFetchParams("org/model", "main", CacheKey.OUT),
        java.util.Map.of("A", "1", "B", "2", "C", "3", "D", "4"),
        List.of(new SecretEnv("HF_TOKEN", "s", "HF_TOKEN"), new SecretEnv("X", "s", "X")),
        new Resources(1, "nvidia.com/gpu", "8", "32Gi"), List.of(), 60, 30, List.of(), List.of(),
        "summary", java.util.Map.of("/etc/a", "x", "/etc/b", "y", "/etc/c", "z"));
    assertThat(CacheKey.of(draft, List.of("k1", "k2"))).isEqualTo(PINNED);
  }

  /** fineflow-cache-v4: keys hash the stage's parameters, so v3 entries are not reused. */
  private static final String PINNED =
      "b94555764a03e8fb547aef792313ed18f45bf4ac7c3743ba3d7c26ac2a0913c9";

  @Test
  void keysAreSha256HexAndNameTheOutputDirectory() {
    for (Stage stage : Planner.plan(ELYZA).stages()) {
      assertThat(stage.cacheKey()).matches("[0-9a-f]{64}");
      assertThat(stage.produces()).allSatisfy(a -> assertThat(a.path())
          .startsWith("/workspace/cache/" + stage.name().id() + "-" + stage.shortKey()));
    }
    assertThat(Planner.plan(ELYZA).stages()).extracting(Stage::cacheKey).doesNotHaveDuplicates();
  }

  @Test
  void outputDirectoryIsNotPartOfTheKey() {
    // The key is computed with $(OUT) in place of its output dir, which is named after the key.
    Stage prep = Planner.plan(ELYZA).stage(DATASET_PREP).orElseThrow();
    StageDraft draft = DatasetPrep.draft(ELYZA);
    assertThat(((DatasetPrepParams) draft.params()).output()).isEqualTo(CacheKey.OUT);
    assertThat(CacheKey.of(draft, List.of())).isEqualTo(prep.cacheKey());
  }

  @Test
  void consumedKeysAndEnvAreHashed() {
    StageDraft draft = DatasetPrep.draft(ELYZA);
    String key = CacheKey.of(draft, List.of());
    assertThat(CacheKey.of(draft, List.of("abc"))).isNotEqualTo(key);
    StageDraft withEnv = new StageDraft(draft.name(), draft.kind(), draft.image(), draft.params(),
        java.util.Map.of("TLLM_LOG_LEVEL", "DEBUG"), draft.secretEnv(), draft.resources(),
        draft.volumes(), draft.timeoutSeconds(), draft.expectedSeconds(), draft.consumes(),
        draft.produces(), draft.summary(), draft.files());
    assertThat(CacheKey.of(withEnv, List.of())).isNotEqualTo(key);
    StageDraft otherTimeout = new StageDraft(draft.name(), draft.kind(), draft.image(),
        draft.params(), draft.env(), draft.secretEnv(), Resources.cpuOnly("4", "16Gi"),
        draft.volumes(), 1, 1, draft.consumes(), draft.produces(), "other", draft.files());
    assertThat(CacheKey.of(otherTimeout, List.of())).isEqualTo(key);
    DatasetPrepParams p = (DatasetPrepParams) draft.params();
    StageDraft otherSeed = new StageDraft(draft.name(), draft.kind(), draft.image(),
        new DatasetPrepParams(p.input(), p.format(), p.template(), p.systemPrompt(), p.fields(),
            p.validationSplit(), p.seed() + 1, p.onInvalid(), p.maxInputTokens(), p.output(),
            p.contentAddressed()),
        draft.env(), draft.secretEnv(), draft.resources(), draft.volumes(), draft.timeoutSeconds(),
        draft.expectedSeconds(), draft.consumes(), draft.produces(), draft.summary(), draft.files());
    assertThat(CacheKey.of(otherSeed, List.of())).as("the parameters are hashed").isNotEqualTo(key);
  }

  private static List<StageName> concat(List<StageName> a, List<StageName> b) {
    return Stream.concat(a.stream(), b.stream()).toList();
  }
}
