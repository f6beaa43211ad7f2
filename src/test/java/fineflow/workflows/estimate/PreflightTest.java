package fineflow.workflows.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fineflow.workflows.spec.Optimizer;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import fineflow.workflows.spec.SpecPatch;
import fineflow.workflows.spec.TrainingMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreflightTest {

  private static PipelineSpec config(String name) throws IOException {
    Path file = Path.of("configs", name);
    return SpecLoader.load(Files.readString(file), file.toString());
  }

  @Test
  void specInputFollowsTheTrainingSection() throws IOException {
    EstimateInput in = EstimateInput.fromSpec(config("elyza-7b-qlora-triton.yaml"));
    assertThat(in.method()).isEqualTo(TrainingMethod.QLORA);
    assertThat(in.loraR()).isEqualTo(4);
    assertThat(in.loraTargets()).hasSize(7);
    assertThat(in.microBatch()).isEqualTo(1);
    assertThat(in.evalMicroBatch()).isEqualTo(1);
    assertThat(in.seqLen()).isEqualTo(512);
    assertThat(in.gradientCheckpointing()).isTrue();
    assertThat(in.optimizer()).isEqualTo(Optimizer.PAGED_ADAMW_8BIT);
    assertThat(in.doubleQuant()).isTrue();
    assertThat(MemoryEstimator.estimate(in).trainableParams()).isEqualTo(9_994_240L);
  }

  @Test
  void seedSpecsFitTheirGpu() throws IOException {
    assertThat(Preflight.check(config("elyza-7b-qlora-triton.yaml"))).isEmpty();
    assertThat(Preflight.check(config("demo.yaml"))).isEmpty();
  }

  @Test
  void specWithoutTrainingHasNothingToCheck() throws IOException {
    PipelineSpec serveOnly = config("gpt-oss-20b-trtllm-serve.yaml");
    assertThat(serveOnly.fineTunes()).isFalse();
    assertThat(Preflight.check(serveOnly)).isEmpty();
    assertThatThrownBy(() -> EstimateInput.fromSpec(serveOnly)).hasMessageContaining("training is disabled");
  }

  @Test
  void tooSmallGpuGivesTheReason() throws IOException {
    PipelineSpec small = SpecPatch.apply(config("elyza-7b-qlora-triton.yaml"), List.of("cluster.gpuMemoryGib=4"));
    assertThat(Preflight.check(small)).hasValueSatisfying(reason -> assertThat(reason)
        .startsWith("training needs an estimated 5.")
        .contains("but cluster.gpuMemoryGib is 4.0 GiB (largest: frozenWeights 4.")
        .contains("try qlora, gradient checkpointing"));
  }

  @Test
  void fullFineTuningOfSevenBillionDoesNotFitEightyGib() throws IOException {
    PipelineSpec full = SpecPatch.apply(config("elyza-7b-qlora-triton.yaml"),
        List.of("training.method=full", "training.quantization=null", "engine.lora=null", "training.optimizer=adamw_torch"));
    assertThat(Preflight.check(full)).hasValueSatisfying(reason -> assertThat(reason)
        .contains("cluster.gpuMemoryGib is 80.0 GiB")
        .contains("optimizerState 50.2 GiB"));
  }
}
