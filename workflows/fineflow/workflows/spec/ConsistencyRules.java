package fineflow.workflows.spec;

import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Rules across sections: the settings that must agree between training, engine, Triton and the
 * benchmark, or the manual procedure broke minutes into a GPU job (docs/manual-procedure.md
 * "Pitfalls").
 */
final class ConsistencyRules {
  private static final Map<String, String> TRITON_TYPE_OF_DTYPE =
      Map.of("float16", "TYPE_FP16", "bfloat16", "TYPE_BF16");
  /** vLLM's LoRAConfig rejects any other {@code --max-lora-rank} at start-up (vllm/config/lora.py). */
  static final List<Integer> VLLM_LORA_RANKS = List.of(1, 8, 16, 32, 64, 128, 256, 320, 512);

  private ConsistencyRules() {
  }

  static void check(PipelineSpec spec, Checks c) {
    if (spec.fineTunes()) {
      adapterRules(spec, c);
    }
    dtypeRules(spec.engine(), spec.serving(), c);
    lengthRules(spec, c);
    servingRules(spec, c);
    if (spec.benchmark().enabled()) {
      benchmarkRules(spec, c);
    } else if (spec.serving().slo() != null) {
      c.add("serving.slo", "needs the benchmark (benchmark.enabled is false): the bounds are checked on its results");
    }
    calibrationRules(spec, c);
    EngineSpec e = spec.engine();
    if (e.tpSize() > 0 && e.ppSize() > 0 && spec.cluster().gpuCount() > 0
        && e.worldSize() > spec.cluster().gpuCount()) {
      c.add("engine.tpSize", "engine.tpSize x engine.ppSize = " + e.worldSize()
          + " GPUs exceeds cluster.gpuCount (" + spec.cluster().gpuCount() + ")");
    }
  }

  static void warn(PipelineSpec spec, Checks c) {
    EngineSpec e = spec.engine();
    ServingBackend backend = spec.serving().backend();
    BenchmarkSpec b = spec.benchmark();
    if (b.enabled() && !b.concurrency().isEmpty()) {
      int max = b.concurrency().stream().filter(x -> x != null).mapToInt(Integer::intValue).max().orElse(0);
      if (max > e.maxBatchSize()) {
        c.add("benchmark.concurrency", "levels above engine.maxBatchSize (" + e.maxBatchSize()
            + ") queue on the server: throughput flattens and latency grows there");
      }
    }
    if (e.perGroup()) {
      // TL convert_checkpoint.py reads --per_group only for QServe (W4A8_QSERVE_PER_GROUP);
      // its GPTQ groups are --group_size, and AWQ runs in quantize.py (--awq_block_size).
      c.add("engine.perGroup", "has no effect: int4 AWQ quantizes in groups of "
          + "quantize.py's --awq_block_size (128) and GPTQ in convert_checkpoint.py's --group_size"
          + " (128); --per_group only selects QServe's per-group mode, which fineflow does not plan");
    }
    if (backend != ServingBackend.TRITON) {
      String why = "ignored by " + backend.wireName() + ": no TensorRT engine is built";
      if (!"none".equals(e.weightOnlyPrecision())) {
        c.add("engine.weightOnlyPrecision", why);
      }
      if (e.int8KvCache()) {
        c.add("engine.int8KvCache", why);
      }
    }
    if (!spec.fineTunes() && spec.dataset() != null) {
      c.add("dataset", "ignored: training is disabled");
    }
  }

  private static void adapterRules(PipelineSpec spec, Checks c) {
    TrainingSpec t = spec.training();
    EngineLoraSpec engineLora = spec.engine().lora();
    if (!t.method().usesAdapters()) {
      if (engineLora.targetModules() != null) {
        c.add("engine.lora.targetModules", "full fine-tuning produces full weights, not a LoRA adapter:"
            + " remove engine.lora.targetModules (the engine is built from the fine-tuned model"
            + " without the LoRA plugin)");
      }
      return;
    }
    List<String> trainTargets = t.lora().targetModules();
    boolean allKnown = true;
    for (int i = 0; i < trainTargets.size(); i++) {
      String name = trainTargets.get(i);
      if (LoraModuleMap.trtllmName(name).isEmpty()) {
        allKnown = false;
        c.add(SpecPath.index("training.lora.targetModules", i), "\"" + name
            + "\" has no TensorRT-LLM LoRA module; known: " + String.join(", ", LoraModuleMap.knownHfNames()));
      }
    }
    List<String> engineTargets = engineLora.targetModules();
    if (allKnown && engineTargets != null) {
      List<String> mapped = LoraModuleMap.toTrtllm(trainTargets);
      boolean same = mapped.size() == engineTargets.size()
          && new HashSet<>(mapped).equals(new HashSet<>(engineTargets));
      // Different module counts are the map::at crash at Triton start-up (docs/manual-procedure.md).
      c.require(same, "engine.lora.targetModules", "must be training.lora.targetModules mapped to"
          + " TensorRT-LLM names, " + mapped + " (" + mapped.size() + " modules), got " + engineTargets
          + " (" + engineTargets.size() + " modules), or Triton stops at start-up with map::at;"
          + " leave it out to derive it");
    }
    if (t.lora().r() > engineLora.maxRank()) {
      c.add("engine.lora.maxRank", "must be >= training.lora.r (" + t.lora().r() + "), got "
          + engineLora.maxRank());
    } else if (spec.serving().backend() == ServingBackend.VLLM
        && !VLLM_LORA_RANKS.contains(engineLora.maxRank())) {
      // The vllm rollout passes engine.lora.maxRank as --max-lora-rank.
      c.add("engine.lora.maxRank", "must be one of " + VLLM_LORA_RANKS
          + " (the ranks vllm serve accepts for --max-lora-rank), got " + engineLora.maxRank());
    }
  }

  /** int4 AWQ and int8 KV cache calibrate on the training split (quantize.py --calib_dataset). */
  private static void calibrationRules(PipelineSpec spec, Checks c) {
    EngineSpec e = spec.engine();
    if (spec.serving().backend() != ServingBackend.TRITON) {
      return;
    }
    boolean awq = e.weightOnlyPrecision().contains("awq");
    if ((awq || e.int8KvCache()) && !spec.fineTunes()) {
      c.add(awq ? "engine.weightOnlyPrecision" : "engine.int8KvCache", "calibrates on the run's"
          + " training split (no Hub dataset is downloaded), and training is disabled: enable"
          + " training or quantize without calibration (int8, int4, int8KvCache false)");
    }
    if (e.int8KvCache() && e.weightOnlyPrecision().contains("gptq")) {
      c.add("engine.int8KvCache", "cannot be combined with " + e.weightOnlyPrecision()
          + ": quantize.py calibrates the KV cache for none, int8, int4 or int4_awq only");
    }
  }

  private static void dtypeRules(EngineSpec e, ServingSpec s, Checks c) {
    // One dtype through checkpoint conversion, LoRA conversion and Triton logits, else std::bad_cast.
    if (!e.loraStorageType().equals(e.dtype())) {
      c.add("engine.loraStorageType", "must equal engine.dtype (" + e.dtype()
          + "): one dtype through checkpoint and LoRA conversion, or Triton fails with std::bad_cast;"
          + " got " + e.loraStorageType());
    }
    String expected = TRITON_TYPE_OF_DTYPE.get(e.dtype());
    // TensorRT-LLM keeps logits in float32 unless told otherwise, so TYPE_FP32 is always a
    // possible engine logits type; triton-repo checks the choice against the built engine.
    if (s.logitsDatatype() != null && expected != null && !expected.equals(s.logitsDatatype())
        && !"TYPE_FP32".equals(s.logitsDatatype())) {
      c.add("serving.logitsDatatype", "must be " + expected + " (engine.dtype " + e.dtype()
          + ") or TYPE_FP32 (TensorRT-LLM's default logits type), or Triton fails with std::bad_cast; got "
          + s.logitsDatatype());
    }
  }

  private static void lengthRules(PipelineSpec spec, Checks c) {
    EngineSpec e = spec.engine();
    boolean triton = spec.serving().backend() == ServingBackend.TRITON;
    if (e.maxInputLen() > e.maxSeqLen()) {
      c.add("engine.maxInputLen", "must be <= engine.maxSeqLen (" + e.maxSeqLen() + "), got "
          + e.maxInputLen());
    }
    if (spec.fineTunes()) {
      // Prompts as long as the training examples must fit the served model's input.
      int limit = triton ? e.maxInputLen() : e.maxSeqLen();
      String limitName = triton ? "engine.maxInputLen" : "engine.maxSeqLen";
      Integer trainLen = spec.training().maxSeqLen();
      c.require(trainLen <= limit, "training.maxSeqLen",
          "must be <= " + limitName + " (" + limit + "), got " + trainLen);
    }
  }

  private static void servingRules(PipelineSpec spec, Checks c) {
    ServingSpec s = spec.serving();
    EngineSpec e = spec.engine();
    if (s.backend() == ServingBackend.TRITON) {
      if ("inflight_fused_batching".equals(s.batchingStrategy()) && !"paged".equals(e.kvCacheType())) {
        c.add("engine.kvCacheType", "must be paged for serving.batchingStrategy inflight_fused_batching, got "
            + e.kvCacheType());
      }
      if (!s.extraOptions().isEmpty()) {
        c.add("serving.extraOptions", "applies only to trtllm-serve and vllm (backend is triton)");
      }
    }
  }

  private static void benchmarkRules(PipelineSpec spec, Checks c) {
    BenchmarkSpec b = spec.benchmark();
    EngineSpec e = spec.engine();
    ServingSpec s = spec.serving();
    boolean triton = s.backend() == ServingBackend.TRITON;
    int in = b.inputTokens();
    int out = b.outputTokens();
    if (in > 0 && out > 0 && in + out > e.maxSeqLen()) {
      c.add("benchmark.outputTokens", "benchmark.inputTokens + outputTokens = " + (in + out)
          + " exceeds engine.maxSeqLen (" + e.maxSeqLen() + ")");
    }
    if (triton && in > e.maxInputLen()) {
      c.add("benchmark.inputTokens", "must be <= engine.maxInputLen (" + e.maxInputLen() + "), got " + in);
    }
    if (b.baseline() == s.backend()) {
      c.add("benchmark.baseline", "must differ from serving.backend (" + s.backend().wireName()
          + "): a baseline compares against another server");
    }
    if (b.tool() == BenchmarkTool.VLLM_BENCH && triton) {
      c.add("benchmark.tool", "vllm-bench needs an OpenAI-compatible server (trtllm-serve or vllm);"
          + " use genai-perf for triton");
    }
    if (triton && b.streaming() && !s.decoupled()) {
      c.add("serving.decoupled", "must be true: the benchmark streams and Triton streams only in decoupled mode");
    }
    SloSpec slo = s.slo();
    if (slo != null) {
      if (slo.atConcurrency() != null && !b.concurrency().contains(slo.atConcurrency())) {
        c.add("serving.slo.atConcurrency", "must be one of benchmark.concurrency " + b.concurrency()
            + ", got " + slo.atConcurrency());
      }
      if (slo.minThroughputPercentOfBaseline() != null && b.baseline() == null) {
        c.add("serving.slo.minThroughputPercentOfBaseline", "needs benchmark.baseline (e.g. vllm)");
      }
      if (slo.itlAvgMs() != null && !b.streaming()) {
        c.add("serving.slo.itlAvgMs", "needs benchmark.streaming: inter-token latency is measured only when streaming");
      }
    }
  }
}
