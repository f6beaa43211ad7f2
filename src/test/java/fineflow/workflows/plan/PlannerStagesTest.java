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

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import fineflow.workflows.format.Json;
import java.util.ArrayList;
import fineflow.workflows.spec.BenchmarkSpec;
import fineflow.workflows.spec.PipelineSpec;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Which stages a spec gets, and what each stage asks of the cluster. */
class PlannerStagesTest {
  private static final PipelineSpec ELYZA = SeedSpecs.elyzaQloraTriton();

  static Stream<Arguments> stageSets() {
    return Stream.of(
        Arguments.of("triton, qlora", ELYZA, List.of(MODEL_FETCH, DATASET_PREP, TRAIN, LORA_CONVERT,
            CHECKPOINT_CONVERT, ENGINE_BUILD, TRITON_REPO, ROLLOUT, BENCHMARK)),
        Arguments.of("triton, full fine-tuning", SeedSpecs.with(ELYZA, "training.method", "\"full\""),
            List.of(MODEL_FETCH, DATASET_PREP, TRAIN, CHECKPOINT_CONVERT, ENGINE_BUILD, TRITON_REPO, ROLLOUT,
                BENCHMARK)),
        Arguments.of("triton, no training", noCalibration(SeedSpecs.with(ELYZA, "training.enabled", "false")),
            List.of(MODEL_FETCH, CHECKPOINT_CONVERT, ENGINE_BUILD, TRITON_REPO, ROLLOUT, BENCHMARK)),
        Arguments.of("triton, no benchmark", SeedSpecs.with(ELYZA, "benchmark.enabled", "false"),
            List.of(MODEL_FETCH, DATASET_PREP, TRAIN, LORA_CONVERT, CHECKPOINT_CONVERT, ENGINE_BUILD,
                TRITON_REPO, ROLLOUT)),
        Arguments.of("triton, vllm baseline", SeedSpecs.with(ELYZA, "benchmark.baseline", "\"vllm\""),
            List.of(MODEL_FETCH, DATASET_PREP, TRAIN, LORA_CONVERT, CHECKPOINT_CONVERT, ENGINE_BUILD,
                TRITON_REPO, ROLLOUT, BASELINE, BENCHMARK)),
        Arguments.of("trtllm-serve, qlora",
            SeedSpecs.with(ELYZA, "serving.backend", "\"trtllm-serve\""),
            List.of(MODEL_FETCH, DATASET_PREP, TRAIN, ROLLOUT, BENCHMARK)),
        Arguments.of("vllm, qlora", SeedSpecs.with(ELYZA, "serving.backend", "\"vllm\""),
            List.of(MODEL_FETCH, DATASET_PREP, TRAIN, ROLLOUT, BENCHMARK)),
        Arguments.of("gpt-oss trtllm-serve with vllm baseline", SeedSpecs.gptOssTrtllmServe(),
            List.of(MODEL_FETCH, ROLLOUT, BASELINE, BENCHMARK)),
        Arguments.of("gpt-oss, no benchmark",
            SeedSpecs.with(SeedSpecs.gptOssTrtllmServe(), "benchmark.enabled", "false"),
            List.of(MODEL_FETCH, ROLLOUT)));
  }

  /** Without training there is no split to calibrate on: quantize without calibration. */
  static PipelineSpec noCalibration(PipelineSpec spec) {
    return SeedSpecs.with(SeedSpecs.with(spec, "engine.weightOnlyPrecision", "\"int4\""),
        "engine.int8KvCache", "false");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stageSets")
  void stagesInPipelineOrder(String label, PipelineSpec spec, List<StageName> expected) {
    assertThat(Planner.plan(spec).stages()).extracting(Stage::name)
        .containsExactlyElementsOf(expected);
  }

  /** cluster.stageTimeoutSeconds sets a stage's timeout and nothing else, so a raised one keeps the caches. */
  @Test
  void aStageTimeoutFromTheSpecChangesTheTimeoutAndNoKey() {
    Plan planned = Planner.plan(ELYZA);
    Plan raised = Planner.plan(SeedSpecs.with(ELYZA, "cluster.stageTimeoutSeconds", "{\"engine-build\": 7, \"train\": 86400}"));

    assertThat(raised.stage(TRAIN).orElseThrow().timeoutSeconds()).isEqualTo(86_400);
    assertThat(raised.stage(ENGINE_BUILD).orElseThrow().timeoutSeconds()).isEqualTo(7);
    assertThat(raised.stage(TRAIN).orElseThrow().timeoutSeconds())
        .isNotEqualTo(planned.stage(TRAIN).orElseThrow().timeoutSeconds());
    assertThat(raised.stages()).extracting(Stage::cacheKey).containsExactlyElementsOf(
        planned.stages().stream().map(Stage::cacheKey).toList());
    assertThat(raised.stages()).filteredOn(s -> s.name() != TRAIN && s.name() != ENGINE_BUILD)
        .extracting(Stage::timeoutSeconds).containsExactlyElementsOf(planned.stages().stream()
            .filter(s -> s.name() != TRAIN && s.name() != ENGINE_BUILD).map(Stage::timeoutSeconds).toList());
  }

  /** The spec package lists the stage names its validator accepts; they are exactly the planner's. */
  @Test
  void theStageNamesATimeoutMayNameAreThePlannersStages() {
    assertThat(fineflow.workflows.spec.ClusterSpec.STAGES)
        .containsExactlyElementsOf(java.util.Arrays.stream(StageName.values()).map(StageName::id).toList());
  }

  @Test
  void gpuStagesGetTheClusterGpus() {
    Plan plan = Planner.plan(SeedSpecs.with(ELYZA, "cluster.gpuCount", "2"));
    assertThat(plan.stages()).filteredOn(Stage::usesGpu).extracting(Stage::name)
        .containsExactly(TRAIN, CHECKPOINT_CONVERT, ENGINE_BUILD, ROLLOUT);
    assertThat(plan.stages()).filteredOn(Stage::usesGpu)
        .allSatisfy(s -> assertThat(s.resources().gpus()).isEqualTo(2))
        .allSatisfy(s -> assertThat(s.resources().gpuResource()).isEqualTo("nvidia.com/gpu"));
  }

  @Test
  void everyStageMountsItsOutputReadWriteAndItsInputsReadOnly() {
    Plan plan = Planner.plan(ELYZA);
    Stage engine = plan.stage(ENGINE_BUILD).orElseThrow();
    String ckpt = "cache/checkpoint-convert-" + plan.stage(CHECKPOINT_CONVERT).orElseThrow().shortKey();
    String own = "cache/engine-build-" + engine.shortKey();
    assertThat(engine.volumes()).containsExactly(
        new VolumeMount(ckpt, "/workspace/" + ckpt, true),
        new VolumeMount(own, "/workspace/" + own, false));
    assertThat(plan.stage(DATASET_PREP).orElseThrow().volumes())
        .contains(new VolumeMount("data/dazai.json", "/workspace/data/dazai.json", true));
    for (Stage stage : plan.stages()) {
      assertThat(stage.volumes()).allSatisfy(v -> {
        assertThat(v.mountPath()).isEqualTo("/workspace/" + v.subPath());
        assertThat(v.subPath()).doesNotContain("$(").doesNotStartWith("/");
      });
      assertThat(stage.argv()).noneMatch(a -> a.contains(CacheKey.OUT));
    }
  }

  /** The argv's words, with the parameters' JSON argument read as its text values. */
  private static List<String> textValues(Stage stage) {
    List<String> words = new ArrayList<>();
    for (String arg : stage.argv()) {
      if (arg.startsWith("{")) {
        try {
          Json.mapper().readTree(arg).forEach(v -> collect(v, words));
        } catch (JsonProcessingException e) {
          throw new AssertionError(stage.name() + ": an argument that is not JSON: " + arg, e);
        }
      } else {
        words.add(arg);
      }
    }
    return words;
  }

  private static void collect(JsonNode node, List<String> words) {
    if (node.isTextual()) {
      words.add(node.textValue());
    }
    node.forEach(v -> collect(v, words));
  }

  @Test
  void everyPathInAnArgvIsMounted() {
    for (PipelineSpec spec : List.of(ELYZA, SeedSpecs.with(ELYZA, "serving.backend", "\"vllm\""),
        SeedSpecs.with(ELYZA, "serving.backend", "\"trtllm-serve\""))) {
      for (Stage stage : Planner.plan(spec).stages()) {
        for (String arg : textValues(stage)) {
          int at = arg.indexOf("/workspace/");
          if (at < 0) {
            continue;
          }
          String path = arg.substring(at);
          assertThat(stage.volumes())
              .as("%s reads %s", stage.name(), path)
              .anyMatch(v -> path.equals(v.mountPath()) || path.startsWith(v.mountPath() + "/"));
        }
      }
    }
  }

  @Test
  void hfTokenComesFromTheNamedSecretWhereModelsAreDownloaded() {
    Plan plan = Planner.plan(ELYZA);
    SecretEnv token = new SecretEnv("HF_TOKEN", "hf-token", "HF_TOKEN");
    assertThat(plan.stages()).filteredOn(s -> s.secretEnv().contains(token)).extracting(Stage::name)
        .containsExactly(MODEL_FETCH, TRAIN, CHECKPOINT_CONVERT, ROLLOUT, BENCHMARK);
    assertThat(plan.stage(TRAIN).orElseThrow().env())
        .containsEntry("HF_HOME", "/workspace/hf-cache");
    Plan noSecret = Planner.plan(SeedSpecs.with(ELYZA, "model.hfTokenSecret", "null"));
    assertThat(noSecret.stages()).allSatisfy(s -> assertThat(s.secretEnv()).isEmpty());
  }

  @Test
  void imagesPerStage() {
    Plan plan = Planner.plan(ELYZA);
    assertThat(plan.stages()).extracting(Stage::image).containsExactly(
        "ghcr.io/fineflow/trainer:0.1.0",
        FineflowImage.DEFAULT,
        "ghcr.io/fineflow/trainer:0.1.0",
        "nvcr.io/nvidia/tritonserver:25.09-trtllm-python-py3",
        "nvcr.io/nvidia/tritonserver:25.09-trtllm-python-py3",
        "nvcr.io/nvidia/tritonserver:25.09-trtllm-python-py3",
        FineflowImage.DEFAULT,
        "nvcr.io/nvidia/tritonserver:25.09-trtllm-python-py3",
        "ghcr.io/fineflow/fineflow-benchmark:0.1.0");
  }

  @Test
  void fineflowsOwnImagesFollowTheClusterRegistryAndTag() {
    PipelineSpec spec = fineflow.workflows.spec.SpecPatch.apply(ELYZA,
        List.of("cluster.imageRegistry=registry.local:5000/ml", "cluster.imageTag=0.2.0-rc1"));
    Plan plan = Planner.plan(spec);
    assertThat(plan.stages()).extracting(Stage::image).filteredOn(i -> !i.startsWith("nvcr.io/"))
        .containsExactly("registry.local:5000/ml/trainer:0.2.0-rc1",
            "registry.local:5000/ml/fineflow:0.2.0-rc1", "registry.local:5000/ml/trainer:0.2.0-rc1",
            "registry.local:5000/ml/fineflow:0.2.0-rc1", "registry.local:5000/ml/fineflow-benchmark:0.2.0-rc1");
  }

  @Test
  void modelFetchRunsOnFineflowsTrainerImageWhateverTrainingImageSays() {
    // model_fetch.py imports huggingface_hub, which the trainer image installs; a custom
    // training image need not.
    Plan plan = Planner.plan(SeedSpecs.with(ELYZA, "training.image", "\"registry.local/my-trainer:1\""));
    assertThat(plan.stage(MODEL_FETCH).orElseThrow().image()).isEqualTo("ghcr.io/fineflow/trainer:0.1.0");
    assertThat(plan.stage(TRAIN).orElseThrow().image()).isEqualTo("registry.local/my-trainer:1");
  }

  @Test
  void expectedDurationsFollowTheSeed() {
    Plan qlora = Planner.plan(ELYZA);
    Plan lora = Planner.plan(SeedSpecs.with(ELYZA, "training.method", "\"lora\""));
    assertThat(qlora.stage(TRAIN).orElseThrow().expectedSeconds()).isEqualTo(27 * 60);
    assertThat(lora.stage(TRAIN).orElseThrow().expectedSeconds()).isEqualTo(20 * 60);
    assertThat(qlora.stages()).allSatisfy(s ->
        assertThat(s.timeoutSeconds()).isGreaterThan(s.expectedSeconds()));
  }

  @Test
  void producesNameTheArtifactsLaterStagesRead() {
    Plan plan = Planner.plan(ELYZA);
    String train = "/workspace/cache/train-" + plan.stage(TRAIN).orElseThrow().shortKey();
    assertThat(plan.stage(TRAIN).orElseThrow().produces())
        .contains(new ArtifactRef("adapter", train + "/adapter"));
    assertThat(plan.stage(LORA_CONVERT).orElseThrow().consumes()).containsExactly(TRAIN);
    assertThat(plan.stage(TRITON_REPO).orElseThrow().consumes())
        .containsExactly(LORA_CONVERT, ENGINE_BUILD);
  }

  @Test
  void datasetPathsStayOnTheWorkspace() {
    assertThat(Planner.plan(SeedSpecs.with(ELYZA, "dataset.path", "\"/workspace/d/x.jsonl\""))
        .stage(DATASET_PREP).orElseThrow().params(DatasetPrepParams.class).input())
        .isEqualTo("/workspace/d/x.jsonl");
    assertThatThrownBy(() -> Planner.plan(SeedSpecs.with(ELYZA, "dataset.path", "\"/etc/passwd\"")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dataset.path").hasMessageContaining("outside the workspace");
    assertThatThrownBy(() -> Planner.plan(SeedSpecs.with(ELYZA, "dataset.path", "\"../../etc/x\"")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("climbs out");
  }

  @Test
  void summariesAreOneLine() {
    assertThat(Planner.plan(ELYZA).stages()).allSatisfy(s ->
        assertThat(s.summary()).isNotBlank().doesNotContain("\n").doesNotContain("$("));
  }
}
