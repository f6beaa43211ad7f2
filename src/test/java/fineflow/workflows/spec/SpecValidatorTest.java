package fineflow.workflows.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Each rule fires on a spec that breaks only it, and the base spec breaks none. */
class SpecValidatorTest {
  private static final YAMLMapper YAML = new YAMLMapper();

  /** QLoRA → Triton with every cross-section value written out, valid. */
  static final String BASE = """
      metadata: {name: base}
      model: {id: org/model}
      dataset: {path: data.json}
      training:
        method: qlora
        lora: {r: 4, targetModules: [q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj]}
        quantization: {bits: 4}
        maxSeqLen: 512
      engine:
        dtype: float16
        maxBatchSize: 16
        maxInputLen: 2048
        maxSeqLen: 4096
        lora: {maxRank: 8, targetModules: [attn_q, attn_k, attn_v, attn_dense, mlp_h_to_4h, mlp_4h_to_h, mlp_gate]}
      serving:
        backend: triton
        logitsDatatype: TYPE_FP16
        slo: {atConcurrency: 16, ttftP99Ms: 50, minThroughputPercentOfBaseline: 120}
      benchmark:
        concurrency: [1, 4, 16]
        inputTokens: 512
        outputTokens: 256
        baseline: vllm
      """;

  /** The base spec with {@code path=yamlValue} assignments (a null value removes the key). */
  static PipelineSpec spec(String... assignments) throws Exception {
    ObjectNode tree = (ObjectNode) YAML.readTree(BASE);
    for (String assignment : assignments) {
      int eq = assignment.indexOf('=');
      String[] keys = assignment.substring(0, eq).split("\\.");
      JsonNode value = YAML.readTree(assignment.substring(eq + 1));
      ObjectNode node = tree;
      for (int i = 0; i < keys.length - 1; i++) {
        node = node.has(keys[i]) && node.get(keys[i]).isObject() ? (ObjectNode) node.get(keys[i]) : node.putObject(keys[i]);
      }
      if (value == null || value.isNull() || value.isMissingNode()) {
        node.remove(keys[keys.length - 1]);
      } else {
        node.set(keys[keys.length - 1], value);
      }
    }
    return SpecJson.mapper().treeToValue(tree, PipelineSpec.class);
  }

  static List<SpecProblem> errors(String... assignments) throws Exception {
    return SpecValidator.validate(spec(assignments));
  }

  @Test
  void baseSpecIsValidAndWarnsOfNothing() throws Exception {
    assertThat(errors()).isEmpty();
    assertThat(SpecValidator.warnings(spec())).isEmpty();
  }

  static Stream<Arguments> rules() {
    return Stream.of(
        // Field rules.
        rule("metadata.name", "DNS-1123", "metadata.name=Base_Pipeline"),
        rule("metadata.name", "at most 40", "metadata.name=a-very-long-pipeline-name-that-goes-on-and-on"),
        rule("metadata.name", "required", "metadata.name=null"),
        rule("model.id", "required", "model.id=null"),
        rule("model.architecture.numKeyValueHeads", "must divide",
            "model.architecture={hiddenSize: 4096, intermediateSize: 11008, numHiddenLayers: 32, numAttentionHeads: 32, numKeyValueHeads: 5, vocabSize: 32000}"),
        rule("model.architecture.vocabSize", "required",
            "model.architecture={hiddenSize: 4096, intermediateSize: 11008, numHiddenLayers: 32, numAttentionHeads: 32}"),
        rule("dataset", "required when training is enabled", "dataset=null"),
        rule("cluster.stageTimeoutSeconds.trian", "no stage is named \"trian\"; stages are model-fetch,",
            "cluster.stageTimeoutSeconds={trian: 60}"),
        rule("cluster.stageTimeoutSeconds.train", "> 0", "cluster.stageTimeoutSeconds={train: 0}"),
        rule("dataset.validationSplit", "between 0 and 1", "dataset.validationSplit=1.0"),
        rule("training.lora.dropout", "[0, 1)", "training.lora.dropout=1.5"),
        rule("training.lora.bias", "unknown value", "training.lora.bias=some"),
        rule("training.epochs", "> 0", "training.epochs=0"),
        rule("training.learningRate", "between 0 and 1", "training.learningRate=5"),
        rule("training.scheduler", "unknown value", "training.scheduler=cosin"),
        rule("training.saveSteps", "multiple of training.evalSteps", "training.saveSteps=30"),
        rule("training.quantization", "required for method qlora", "training.quantization=null"),
        rule("training.quantization.bits", "must be 4", "training.quantization.bits=8"),
        rule("training.quantization", "applies only to method qlora", "training.method=lora"),
        rule("engine.dtype", "unknown value", "engine.dtype=float32", "engine.loraStorageType=float32"),
        rule("engine.weightOnlyPrecision", "unknown value", "engine.weightOnlyPrecision=int3"),
        rule("serving.kvCacheFreeGpuMemFraction", "(0, 1]", "serving.kvCacheFreeGpuMemFraction=1.5"),
        rule("serving.slo", "at least one bound", "serving.slo={atConcurrency: 16}"),
        rule("benchmark.concurrency", "more than once", "benchmark.concurrency=[1, 4, 4, 16]"),
        rule("cluster.gpuCount", "> 0", "cluster.gpuCount=0", "engine.tpSize=1"),
        rule("cluster.workspacePvc", "Kubernetes name", "cluster.workspacePvc=My_PVC"),
        // Consistency rules.
        rule("training.lora.targetModules[0]", "no TensorRT-LLM LoRA module", "training.lora.targetModules=[qkv_proj]"),
        rule("engine.lora.targetModules", "6 modules", // fused name on one side: map::at
            "engine.lora.targetModules=[attn_qkv, attn_dense, mlp_h_to_4h, mlp_4h_to_h, mlp_gate, attn_q]"),
        rule("engine.lora.targetModules", "mapped to TensorRT-LLM names",
            "training.lora.targetModules=[q_proj, v_proj]"),
        rule("engine.lora.targetModules", "full fine-tuning", "training.method=full", "training.quantization=null"),
        rule("engine.loraStorageType", "std::bad_cast", "engine.loraStorageType=bfloat16"),
        rule("serving.logitsDatatype", "TYPE_BF16", "engine.dtype=bfloat16"),
        rule("engine.lora.maxRank", ">= training.lora.r (16)", "training.lora.r=16"),
        rule("engine.maxInputLen", "<= engine.maxSeqLen", "engine.maxInputLen=8192"),
        rule("training.maxSeqLen", "<= engine.maxInputLen (2048)", "training.maxSeqLen=3000"),
        rule("benchmark.outputTokens", "exceeds engine.maxSeqLen", "benchmark.outputTokens=3800"),
        rule("benchmark.inputTokens", "<= engine.maxInputLen", "benchmark.inputTokens=2100", "training.maxSeqLen=256"),
        rule("engine.tpSize", "exceeds cluster.gpuCount (1)", "engine.tpSize=2"),
        rule("benchmark.baseline", "must differ from serving.backend", "benchmark.baseline=triton"),
        rule("serving.slo.atConcurrency", "one of benchmark.concurrency", "serving.slo.atConcurrency=8"),
        rule("serving.slo.minThroughputPercentOfBaseline", "needs benchmark.baseline", "benchmark.baseline=null"),
        rule("serving.slo", "needs the benchmark", "benchmark.enabled=false"),
        rule("serving.decoupled", "decoupled mode", "serving.decoupled=false"),
        rule("benchmark.tool", "OpenAI-compatible", "benchmark.tool=vllm-bench"),
        rule("engine.kvCacheType", "must be paged", "engine.kvCacheType=continuous"),
        rule("serving.extraOptions", "only to trtllm-serve and vllm", "serving.extraOptions={enable_attention_dp: false}"),
        rule("engine.weightOnlyPrecision", "training split", "engine.weightOnlyPrecision=int4_awq",
            "training={enabled: false}", "dataset=null", "engine.lora=null"),
        rule("engine.int8KvCache", "int4_gptq", "engine.weightOnlyPrecision=int4_gptq", "engine.int8KvCache=true"));
  }

  private static Arguments rule(String path, String messagePart, String... assignments) {
    return Arguments.of(path, messagePart, List.of(assignments));
  }

  @ParameterizedTest(name = "{0}: {1} <- {2}")
  @MethodSource("rules")
  void ruleFiresAlone(String path, String messagePart, List<String> assignments) throws Exception {
    assertThat(errors(assignments.toArray(String[]::new)))
        .singleElement()
        .satisfies(p -> {
          assertThat(p.path()).isEqualTo(path);
          assertThat(p.message()).contains(messagePart);
        });
  }

  @Test
  void engineTargetsInAnotherOrderAreTheSameModules() throws Exception {
    assertThat(errors("engine.lora.targetModules=[mlp_gate, attn_q, attn_k, attn_v, attn_dense, mlp_h_to_4h, mlp_4h_to_h]"))
        .isEmpty();
  }

  @Test
  void trtllmServeServesTheAdapterByNameAndIgnoresEngineQuantization() throws Exception {
    PipelineSpec spec = spec("serving.backend=trtllm-serve", "serving.logitsDatatype=null", "engine.weightOnlyPrecision=int4_awq",
        "serving.extraOptions={enable_attention_dp: false}");
    assertThat(SpecValidator.validate(spec)).isEmpty();
    assertThat(SpecValidator.warnings(spec)).extracting(SpecProblem::path)
        .containsExactly("engine.weightOnlyPrecision");
  }

  @Test
  void trtllmServeChecksTrainingLengthAgainstMaxSeqLen() throws Exception {
    assertThat(errors("serving.backend=trtllm-serve", "training.maxSeqLen=3000"))
        .isEmpty();
    assertThat(errors("serving.backend=trtllm-serve", "training.maxSeqLen=5000"))
        .extracting(SpecProblem::path).containsExactly("training.maxSeqLen");
  }

  /** vLLM refuses to start with any other --max-lora-rank (vllm/config LoRAConfig). */
  @Test
  void vllmServesAdaptersOnlyAtTheRanksItAccepts() throws Exception {
    String[] vllm = {"serving={backend: vllm}", "benchmark.baseline=null", "engine.lora.targetModules=null"};
    assertThat(errors(vllm)).isEmpty();
    String[] rank48 = java.util.Arrays.copyOf(vllm, vllm.length + 2);
    rank48[vllm.length] = "engine.lora.maxRank=48";
    rank48[vllm.length + 1] = "training.lora.r=4";
    assertThat(errors(rank48)).singleElement().satisfies(p -> {
      assertThat(p.path()).isEqualTo("engine.lora.maxRank");
      assertThat(p.message()).contains("vllm").contains("48")
          .contains("[1, 8, 16, 32, 64, 128, 256, 320, 512]");
    });
    // Triton's engine takes any rank: the rule is vLLM's alone.
    assertThat(errors("engine.lora.maxRank=48")).isEmpty();
  }

  /** quantize.py has no --per_group, and convert_checkpoint.py uses it for QServe only. */
  @Test
  void perGroupIsAWarningThatItDoesNothing() throws Exception {
    PipelineSpec spec = spec("engine.perGroup=true");
    assertThat(SpecValidator.validate(spec)).isEmpty();
    assertThat(SpecValidator.warnings(spec)).singleElement().satisfies(w -> {
      assertThat(w.path()).isEqualTo("engine.perGroup");
      assertThat(w.message()).contains("has no effect", "--awq_block_size");
    });
  }

  @Test
  void concurrencyAboveMaxBatchSizeIsOnlyAWarning() throws Exception {
    PipelineSpec spec = spec("benchmark.concurrency=[1, 16, 64]");
    assertThat(SpecValidator.validate(spec)).isEmpty();
    assertThat(SpecValidator.warnings(spec)).singleElement()
        .satisfies(w -> assertThat(w.path()).isEqualTo("benchmark.concurrency"));
  }

  @Test
  void trainingRulesDoNotApplyWhenTrainingIsDisabled() throws Exception {
    PipelineSpec spec = spec("training={enabled: false}", "dataset=null", "engine.lora={maxRank: 8}");
    assertThat(SpecValidator.validate(spec)).isEmpty();
  }
}
