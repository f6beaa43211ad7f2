package fineflow.workflows.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every shipped example spec is valid, and those of the manual run carry its values
 * (docs/manual-procedure.md).
 */
class ConfigsTest {

  static Stream<Path> configs() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(Path.of("configs"))) {
      files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).extracting(p -> p.getFileName().toString())
        .contains("elyza-7b-qlora-triton.yaml", "gpt-oss-20b-trtllm-serve.yaml", "demo.yaml");
    return files.stream();
  }

  static PipelineSpec load(String name) throws IOException {
    Path file = Path.of("configs", name);
    return SpecLoader.load(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  @ParameterizedTest
  @MethodSource("configs")
  void isValidAndRoundTripsThroughYaml(Path file) throws IOException {
    PipelineSpec spec = SpecLoader.load(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    assertThat(file.getFileName().toString()).isEqualTo(spec.metadata().name() + ".yaml");
    assertThat(SpecLoader.load(SpecYaml.render(spec), "rendered")).isEqualTo(spec);
    assertThat(SpecLoader.load(SpecYaml.renderMinimal(spec), "minimal")).isEqualTo(spec);
  }

  @Test
  void elyzaHasTheSeedsOldWorkflowValues() throws IOException {
    PipelineSpec spec = load("elyza-7b-qlora-triton.yaml");
    TrainingSpec t = spec.training();
    assertThat(t.method()).isEqualTo(TrainingMethod.QLORA);
    assertThat(List.of(t.lora().r(), t.lora().alpha())).containsExactly(4, 8);
    assertThat(t.lora().dropout()).isEqualTo(0.1);
    assertThat(t.lora().targetModules()).isEqualTo(LoraSpec.LLAMA_ALL_LINEAR);
    assertThat(t.quantization()).isEqualTo(new QuantizationSpec(4, "nf4", true, "bfloat16"));
    assertThat(List.of(t.epochs(), t.microBatchSize(), t.gradientAccumulationSteps(), t.warmupSteps(),
        t.evalSteps(), t.saveSteps())).containsExactly(3, 1, 32, 5, 25, 25);
    assertThat(t.learningRate()).isEqualTo(5e-5);
    assertThat(t.optimizer()).isEqualTo(Optimizer.PAGED_ADAMW_8BIT);
    assertThat(t.gradientCheckpointing()).isTrue();
    EngineSpec e = spec.engine();
    assertThat(e.weightOnlyPrecision()).isEqualTo("int4_awq");
    assertThat(e.int8KvCache()).isTrue();
    // The manual run passed --per_group; quantize.py, which int4 AWQ runs now, has no such flag.
    assertThat(e.perGroup()).isFalse();
    assertThat(List.of(e.calibSize(), e.maxBatchSize(), e.maxInputLen(), e.maxSeqLen(), e.maxBeamWidth(),
        e.lora().maxRank())).containsExactly(256, 16, 2048, 4096, 1, 8);
    assertThat(spec.model().architecture()).isEqualTo(ArchitectureSpec.llama2_7b());
    assertThat(spec.serving().decoupled()).isTrue();
    assertThat(spec.benchmark().concurrency()).containsExactly(1, 4, 8, 16, 32, 64);
    assertThat(spec.benchmark().baseline()).isEqualTo(ServingBackend.VLLM);
    assertThat(spec.cluster().gpuMemoryGib()).isEqualTo(80.0);
  }

  @Test
  void gptOssHasTheSeedsNewWorkflowValues() throws IOException {
    PipelineSpec spec = load("gpt-oss-20b-trtllm-serve.yaml");
    assertThat(spec.fineTunes()).isFalse();
    assertThat(spec.serving().backend()).isEqualTo(ServingBackend.TRTLLM_SERVE);
    assertThat(List.of(spec.engine().maxBatchSize(), spec.engine().maxSeqLen(), spec.engine().maxNumTokens()))
        .containsExactly(256, 32768, 262144);
    assertThat(spec.model().trustRemoteCode()).isTrue();
    assertThat(spec.serving().extraOptions()).containsEntry("enable_attention_dp", false)
        .containsEntry("moe_config", java.util.Map.of("backend", "TRITON"))
        .containsEntry("cuda_graph_config", java.util.Map.of("max_batch_size", 256, "enable_padding", true));
    assertThat(spec.benchmark().concurrency()).containsExactly(1, 2, 4, 8, 16, 32, 64, 128, 256);
  }

  @Test
  void demoIsSmallAndItsDatasetExists() throws IOException {
    PipelineSpec spec = load("demo.yaml");
    assertThat(spec.engine().maxBatchSize()).isEqualTo(4);
    assertThat(spec.benchmark().concurrency()).containsExactly(1, 4);
    Path data = Path.of(spec.dataset().path());
    assertThat(data).exists();
    List<String> lines = Files.readAllLines(data, StandardCharsets.UTF_8);
    assertThat(lines).hasSizeGreaterThanOrEqualTo(40)
        .allSatisfy(line -> assertThat(line).startsWith("{\"instruction\": ").contains("\"output\": "));
    // The demo's resume: a bigger engine batch is a valid patch.
    assertThat(SpecPatch.apply(spec, List.of("engine.maxBatchSize=8")).engine().maxBatchSize()).isEqualTo(8);
  }
}
