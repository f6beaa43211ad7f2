package fineflow.workflows.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecPatchTest {

  private static List<SpecProblem> problems(PipelineSpec spec, String... assignments) {
    try {
      SpecPatch.apply(spec, List.of(assignments));
    } catch (SpecException e) {
      return e.problems();
    }
    throw new AssertionError("expected the patch to fail");
  }

  @Test
  void setsScalarsListsAndNewSections() throws IOException {
    PipelineSpec demo = ConfigsTest.load("demo.yaml");
    PipelineSpec patched = SpecPatch.apply(demo, List.of("engine.maxBatchSize=8",
        "benchmark.concurrency=[1, 2, 8]", "serving.slo.atConcurrency=8", "serving.slo.ttftP99Ms=40.5",
        "cluster.nodeSelector[\"nvidia.com/gpu.product\"]=NVIDIA-H100-PCIe"));
    assertThat(patched.engine().maxBatchSize()).isEqualTo(8);
    assertThat(patched.benchmark().concurrency()).containsExactly(1, 2, 8);
    assertThat(patched.serving().slo()).isEqualTo(new SloSpec(8, 40.5, null, null));
    assertThat(patched.cluster().nodeSelector()).containsEntry("nvidia.com/gpu.product", "NVIDIA-H100-PCIe");
    // Everything else is untouched, and the original is unchanged.
    assertThat(patched.training()).isEqualTo(demo.training());
    assertThat(demo.engine().maxBatchSize()).isEqualTo(4);
    assertThat(SpecDigest.of(patched)).isNotEqualTo(SpecDigest.of(demo));
  }

  /** The resume a DeadlineExceeded hint suggests: a stage's timeout, named by its stage. */
  @Test
  void setsAStageTimeoutByStageName() throws IOException {
    PipelineSpec demo = ConfigsTest.load("demo.yaml");
    PipelineSpec patched = SpecPatch.apply(demo, List.of("cluster.stageTimeoutSeconds.engine-build=7200"));
    assertThat(patched.cluster().stageTimeoutSeconds()).containsExactly(java.util.Map.entry("engine-build", 7200));
    assertThat(problems(demo, "cluster.stageTimeoutSeconds.enigne-build=7200")).singleElement()
        .satisfies(p -> assertThat(p.toString()).contains("cluster.stageTimeoutSeconds.enigne-build")
            .contains("no stage is named"));
  }

  @Test
  void listItemsAndNullResetToDefault() throws IOException {
    PipelineSpec elyza = ConfigsTest.load("elyza-7b-qlora-triton.yaml");
    PipelineSpec patched = SpecPatch.apply(elyza, List.of("benchmark.concurrency[5]=48",
        "serving.logitsDatatype=null", "engine.maxBatchSize=4"));
    assertThat(patched.benchmark().concurrency()).containsExactly(1, 4, 8, 16, 32, 48);
    assertThat(patched.serving().logitsDatatype()).isNull();
    assertThat(patched.engine().maxBatchSize()).isEqualTo(4);
  }

  @Test
  void derivedDefaultsFollowTheFieldTheyDeriveFrom() throws IOException {
    PipelineSpec demo = ConfigsTest.load("demo.yaml");
    PipelineSpec bf16 = SpecPatch.apply(demo, List.of("engine.dtype=bfloat16"));
    assertThat(bf16.engine().loraStorageType()).isEqualTo("bfloat16");
    PipelineSpec vllm = SpecPatch.apply(demo, List.of("serving.backend=trtllm-serve"));
    assertThat(vllm.serving().image()).isEqualTo(ServingBackend.TRTLLM_SERVE.defaultImage());
  }

  @Test
  void patchThatBreaksARuleIsRejectedWithItsPath() throws IOException {
    PipelineSpec elyza = ConfigsTest.load("elyza-7b-qlora-triton.yaml");
    // Triton's batch size is the engine's: changing the engine alone is whole.
    assertThat(SpecPatch.apply(elyza, List.of("engine.maxBatchSize=8")).engine().maxBatchSize()).isEqualTo(8);
    assertThat(problems(elyza, "engine.maxInputLen=8192")).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("engine.maxInputLen");
      assertThat(p.line()).isZero();
    });
    assertThat(problems(elyza, "engine.dtype=bfloat16")).extracting(SpecProblem::path)
        .containsExactly("serving.logitsDatatype");
  }

  @Test
  void badPathsAndValuesNameThePath() throws IOException {
    PipelineSpec demo = ConfigsTest.load("demo.yaml");
    assertThat(problems(demo, "engine.maxBatchSise=8")).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("engine.maxBatchSise");
      assertThat(p.message()).contains("did you mean \"maxBatchSize\"");
    });
    assertThat(problems(demo, "engine.maxBatchSize=lots")).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("engine.maxBatchSize");
      assertThat(p.message()).isEqualTo("expected a whole number, got \"lots\"");
    });
    assertThat(problems(demo, "engine.maxBatchSize.x=1")).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("engine.maxBatchSize is a value, not a section"));
    assertThat(problems(demo, "engine.maxBatchSize")).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("expected PATH=VALUE"));
    assertThat(problems(demo, "engine..maxBatchSize=1")).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("bad path"));
    assertThat(problems(demo, "benchmark.concurrency[7]=1")).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("outside the list (2 items)"));
    assertThat(problems(demo, "serving.backend=tgi")).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("unknown value \"tgi\""));
  }

  @Test
  void replaceIsLoading() {
    assertThatThrownBy(() -> SpecPatch.replace("metadata: {name: x}\nmodel: {id: m}\nfoo: 1\n"))
        .isInstanceOf(SpecException.class).hasMessageContaining("foo (line 3, column 1)");
  }
}
