package fineflow.workflows.spec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Field rules of every section, then the cross-section consistency rules
 * ({@link ConsistencyRules}). Problems carry paths but no positions: {@link SpecLoader} adds
 * those from the YAML.
 */
public final class SpecValidator {
  /** A registry host[:port] and an optional lower-case path (the reference grammar of distribution/reference). */
  private static final java.util.regex.Pattern IMAGE_REGISTRY = java.util.regex.Pattern.compile(
      "[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*");
  private static final java.util.regex.Pattern IMAGE_TAG =
      java.util.regex.Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  static final List<String> ENGINE_DTYPES = List.of("float16", "bfloat16");
  static final List<String> WEIGHT_ONLY = List.of("none", "int8", "int4", "int4_awq", "int8_gptq", "int4_gptq");
  static final List<String> KV_CACHE_TYPES = List.of("paged", "continuous", "disabled");
  static final List<String> STORAGE_TYPES = List.of("float16", "bfloat16", "float32");
  static final List<String> LOGITS_TYPES = List.of("TYPE_FP16", "TYPE_BF16", "TYPE_FP32");
  static final List<String> BATCHING = List.of("inflight_fused_batching", "V1");
  static final List<String> LORA_BIAS = List.of("none", "all", "lora_only");
  static final List<String> QUANT_TYPES = List.of("nf4", "fp4");
  static final List<String> COMPUTE_DTYPES = List.of("bfloat16", "float16", "float32");
  /** transformers' SchedulerType values. */
  static final List<String> SCHEDULERS = List.of("linear", "cosine", "cosine_with_restarts",
      "polynomial", "constant", "constant_with_warmup", "inverse_sqrt", "reduce_lr_on_plateau",
      "cosine_with_min_lr", "warmup_stable_decay");
  static final List<String> TOLERATION_OPERATORS = List.of("Exists", "Equal");
  static final List<String> TAINT_EFFECTS = List.of("NoSchedule", "PreferNoSchedule", "NoExecute");
  /** Run ids are {@code <name>-<short hash>} and Job names add the stage: keep room below 63. */
  static final int MAX_NAME_LENGTH = 40;

  private SpecValidator() {
  }

  /** Every error of the spec; empty when it is valid. */
  public static List<SpecProblem> validate(PipelineSpec spec) {
    Checks checks = new Checks();
    top(spec, checks);
    model(spec.model(), checks);
    if (spec.fineTunes()) {
      dataset(spec.dataset(), checks);
      training(spec.training(), checks);
    }
    engine(spec.engine(), checks);
    serving(spec.serving(), checks);
    if (spec.benchmark().enabled()) {
      benchmark(spec.benchmark(), checks);
    }
    cluster(spec.cluster(), checks);
    ConsistencyRules.check(spec, checks);
    return checks.problems();
  }

  /** Settings that are allowed but probably not meant (ignored values, queueing benchmarks). */
  public static List<SpecProblem> warnings(PipelineSpec spec) {
    Checks checks = new Checks();
    ConsistencyRules.warn(spec, checks);
    return checks.problems();
  }

  private static void top(PipelineSpec spec, Checks c) {
    c.require(PipelineSpec.API_VERSION.equals(spec.apiVersion()), "apiVersion",
        "must be " + PipelineSpec.API_VERSION + ", got \"" + spec.apiVersion() + "\"");
    c.require(PipelineSpec.KIND.equals(spec.kind()), "kind",
        "must be " + PipelineSpec.KIND + ", got \"" + spec.kind() + "\"");
    String name = spec.metadata().name();
    c.required(name, "metadata.name", "the pipeline name, e.g. elyza-7b-qlora");
    if (name != null && !name.isBlank()) {
      c.dnsLabel(name, MAX_NAME_LENGTH, "metadata.name");
    }
  }

  private static void model(ModelSpec model, Checks c) {
    if (model == null) {
      c.add("model", "required: at least model.id (a Hugging Face model id or a path on the workspace volume)");
      return;
    }
    c.required(model.id(), "model.id", "a Hugging Face model id (org/name) or a path on the workspace volume");
    c.notBlankIfSet(model.revision(), "model.revision");
    c.notBlankIfSet(model.tokenizer(), "model.tokenizer");
    ModelLocation.problem(model.id()).ifPresent(m -> c.add("model.id", m));
    if (model.tokenizer() != null && !model.tokenizer().equals(model.id())) {
      ModelLocation.problem(model.tokenizer()).ifPresent(m -> c.add("model.tokenizer", m));
    }
    c.dnsSubdomain(model.hfTokenSecret(), "model.hfTokenSecret");
    ArchitectureSpec a = model.architecture();
    if (a != null) {
      String p = "model.architecture.";
      c.required(a.hiddenSize(), p + "hiddenSize", "hidden_size of config.json");
      c.required(a.intermediateSize(), p + "intermediateSize", "intermediate_size of config.json");
      c.required(a.numHiddenLayers(), p + "numHiddenLayers", "num_hidden_layers of config.json");
      c.required(a.numAttentionHeads(), p + "numAttentionHeads", "num_attention_heads of config.json");
      c.required(a.vocabSize(), p + "vocabSize", "vocab_size of config.json");
      c.positive(a.hiddenSize(), p + "hiddenSize");
      c.positive(a.intermediateSize(), p + "intermediateSize");
      c.positive(a.numHiddenLayers(), p + "numHiddenLayers");
      c.positive(a.numAttentionHeads(), p + "numAttentionHeads");
      c.positive(a.numKeyValueHeads(), p + "numKeyValueHeads");
      c.positive(a.vocabSize(), p + "vocabSize");
      if (a.numAttentionHeads() != null && a.numKeyValueHeads() != null && a.numKeyValueHeads() > 0
          && a.numAttentionHeads() % a.numKeyValueHeads() != 0) {
        c.add(p + "numKeyValueHeads", "must divide numAttentionHeads (" + a.numAttentionHeads()
            + ") for grouped-query attention, got " + a.numKeyValueHeads());
      }
    }
  }

  private static void dataset(DatasetSpec dataset, Checks c) {
    if (dataset == null) {
      c.add("dataset", "required when training is enabled: at least dataset.path");
      return;
    }
    c.required(dataset.path(), "dataset.path", "the data file (on the workspace volume)");
    if (dataset.path() != null && !dataset.path().isBlank()) {
      WorkspacePath.problem(dataset.path()).ifPresent(m -> c.add("dataset.path", m));
    }
    Double split = dataset.validationSplit();
    c.require(split > 0 && split < 1, "dataset.validationSplit",
        "must be between 0 and 1 (exclusive), got " + split);
    DatasetFields f = dataset.fields();
    c.notBlankIfSet(f.instruction(), "dataset.fields.instruction");
    c.notBlankIfSet(f.output(), "dataset.fields.output");
    c.notBlankIfSet(f.input(), "dataset.fields.input");
    c.notBlankIfSet(f.system(), "dataset.fields.system");
    c.require(!f.instruction().equals(f.output()), "dataset.fields.output",
        "must differ from dataset.fields.instruction");
  }

  private static void training(TrainingSpec t, Checks c) {
    if (t.method().usesAdapters()) {
      LoraSpec lora = t.lora();
      c.positive(lora.r(), "training.lora.r");
      if (lora.r() > 0) {
        // alpha defaults to 2r: a bad r already explains a bad default alpha.
        c.positive(lora.alpha(), "training.lora.alpha");
      }
      c.require(lora.dropout() >= 0 && lora.dropout() < 1, "training.lora.dropout",
          "must be in [0, 1), got " + lora.dropout());
      c.require(!lora.targetModules().isEmpty(), "training.lora.targetModules",
          "must name at least one module (e.g. q_proj, v_proj)");
      duplicates(lora.targetModules(), "training.lora.targetModules", c);
      c.oneOf(lora.bias(), LORA_BIAS, "training.lora.bias");
    }
    if (t.method() == TrainingMethod.QLORA) {
      QuantizationSpec q = t.quantization();
      if (q == null) {
        c.add("training.quantization", "required for method qlora: a 4-bit config (bits: 4, quantType: nf4)");
      } else {
        c.require(q.bits() == 4, "training.quantization.bits",
            "must be 4 for qlora (the frozen base model is loaded in 4-bit), got " + q.bits());
        c.oneOf(q.quantType(), QUANT_TYPES, "training.quantization.quantType");
        c.oneOf(q.computeDtype(), COMPUTE_DTYPES, "training.quantization.computeDtype");
      }
    } else if (t.quantization() != null) {
      c.add("training.quantization", "applies only to method qlora (method is "
          + SpecEnums.name(t.method()) + ")");
    }
    c.positive(t.epochs(), "training.epochs");
    c.positive(t.microBatchSize(), "training.microBatchSize");
    c.positive(t.gradientAccumulationSteps(), "training.gradientAccumulationSteps");
    c.require(t.learningRate() > 0 && t.learningRate() < 1, "training.learningRate",
        "must be between 0 and 1, got " + t.learningRate());
    c.oneOf(t.scheduler(), SCHEDULERS, "training.scheduler");
    c.notNegative(t.warmupSteps(), "training.warmupSteps");
    c.positive(t.maxSeqLen(), "training.maxSeqLen");
    c.positive(t.evalSteps(), "training.evalSteps");
    c.positive(t.saveSteps(), "training.saveSteps");
    c.positive(t.loggingSteps(), "training.loggingSteps");
    if (t.evalSteps() > 0 && t.saveSteps() > 0 && t.saveSteps() % t.evalSteps() != 0) {
      // Keeping the best checkpoint (load_best_model_at_end) makes transformers demand this.
      c.add("training.saveSteps", "must be a multiple of training.evalSteps (" + t.evalSteps()
          + ") so the best checkpoint by eval_loss can be kept, got " + t.saveSteps());
    }
    c.required(t.image(), "training.image", "the trainer image");
  }

  private static void engine(EngineSpec e, Checks c) {
    c.oneOf(e.dtype(), ENGINE_DTYPES, "engine.dtype");
    c.oneOf(e.weightOnlyPrecision(), WEIGHT_ONLY, "engine.weightOnlyPrecision");
    c.positive(e.calibSize(), "engine.calibSize");
    c.oneOf(e.kvCacheType(), KV_CACHE_TYPES, "engine.kvCacheType");
    c.positive(e.maxBatchSize(), "engine.maxBatchSize");
    c.positive(e.maxInputLen(), "engine.maxInputLen");
    c.positive(e.maxSeqLen(), "engine.maxSeqLen");
    c.positive(e.maxNumTokens(), "engine.maxNumTokens");
    c.positive(e.maxBeamWidth(), "engine.maxBeamWidth");
    c.positive(e.tpSize(), "engine.tpSize");
    c.positive(e.ppSize(), "engine.ppSize");
    c.positive(e.lora().maxRank(), "engine.lora.maxRank");
    c.notNegative(e.lora().taskId(), "engine.lora.taskId");
    if (e.lora().targetModules() != null) {
      duplicates(e.lora().targetModules(), "engine.lora.targetModules", c);
    }
    c.oneOf(e.loraStorageType(), STORAGE_TYPES, "engine.loraStorageType");
    c.required(e.image(), "engine.image", "the TensorRT-LLM image");
  }

  private static void serving(ServingSpec s, Checks c) {
    c.positive(s.replicas(), "serving.replicas");
    c.positive(s.instanceCounts().preprocessing(), "serving.instanceCounts.preprocessing");
    c.positive(s.instanceCounts().postprocessing(), "serving.instanceCounts.postprocessing");
    c.positive(s.instanceCounts().bls(), "serving.instanceCounts.bls");
    Double fraction = s.kvCacheFreeGpuMemFraction();
    c.require(fraction > 0 && fraction <= 1, "serving.kvCacheFreeGpuMemFraction",
        "must be in (0, 1], got " + fraction);
    c.oneOf(s.logitsDatatype(), LOGITS_TYPES, "serving.logitsDatatype");
    c.oneOf(s.batchingStrategy(), BATCHING, "serving.batchingStrategy");
    c.notNegative(s.maxQueueDelayMicroseconds(), "serving.maxQueueDelayMicroseconds");
    c.required(s.image(), "serving.image", "the server image");
    SloSpec slo = s.slo();
    if (slo != null) {
      c.required(slo.atConcurrency(), "serving.slo.atConcurrency", "the concurrency the bounds are checked at");
      c.positive(slo.ttftP99Ms(), "serving.slo.ttftP99Ms");
      c.positive(slo.itlAvgMs(), "serving.slo.itlAvgMs");
      c.positive(slo.minThroughputPercentOfBaseline(), "serving.slo.minThroughputPercentOfBaseline");
      c.require(slo.ttftP99Ms() != null || slo.itlAvgMs() != null
          || slo.minThroughputPercentOfBaseline() != null, "serving.slo",
          "needs at least one bound: ttftP99Ms, itlAvgMs or minThroughputPercentOfBaseline");
    }
  }

  private static void benchmark(BenchmarkSpec b, Checks c) {
    c.require(!b.concurrency().isEmpty(), "benchmark.concurrency", "must list at least one level");
    for (int i = 0; i < b.concurrency().size(); i++) {
      Integer level = b.concurrency().get(i);
      c.require(level != null && level > 0, SpecPath.index("benchmark.concurrency", i),
          "must be > 0, got " + level);
    }
    duplicates(b.concurrency(), "benchmark.concurrency", c);
    c.positive(b.inputTokens(), "benchmark.inputTokens");
    c.positive(b.outputTokens(), "benchmark.outputTokens");
    c.positive(b.requestCount(), "benchmark.requestCount");
    c.required(b.image(), "benchmark.image", "the benchmark client image");
  }

  private static void cluster(ClusterSpec k, Checks c) {
    if (k.namespace() != null) {
      c.dnsLabel(k.namespace(), 63, "cluster.namespace");
    }
    c.required(k.gpuResource(), "cluster.gpuResource", "the GPU extended resource name, e.g. nvidia.com/gpu");
    c.positive(k.gpuCount(), "cluster.gpuCount");
    c.positive(k.gpuMemoryGib(), "cluster.gpuMemoryGib");
    c.required(k.workspacePvc(), "cluster.workspacePvc", "the workspace PersistentVolumeClaim");
    c.dnsSubdomain(k.workspacePvc(), "cluster.workspacePvc");
    c.dnsSubdomain(k.serviceAccount(), "cluster.serviceAccount");
    c.notBlankIfSet(k.kueueQueue(), "cluster.kueueQueue");
    c.positive(k.unschedulableTimeoutSeconds(), "cluster.unschedulableTimeoutSeconds");
    c.notNegative(k.ttlSecondsAfterFinished(), "cluster.ttlSecondsAfterFinished");
    new TreeMap<>(k.stageTimeoutSeconds()).forEach((stage, seconds) -> {
      String p = SpecPath.child("cluster.stageTimeoutSeconds", stage);
      if (!ClusterSpec.STAGES.contains(stage)) {
        c.add(p, "no stage is named \"" + stage + "\"; stages are " + String.join(", ", ClusterSpec.STAGES));
      } else if (seconds == null) {
        c.add(p, "a number of seconds is required");
      } else {
        c.positive(seconds, p);
      }
    });
    c.require(IMAGE_REGISTRY.matcher(k.imageRegistry()).matches(), "cluster.imageRegistry",
        "must be a registry host with an optional path, e.g. ghcr.io/fineflow or registry.local:5000/ml,"
            + " got \"" + k.imageRegistry() + "\"");
    c.require(IMAGE_TAG.matcher(k.imageTag()).matches(), "cluster.imageTag",
        "must be an image tag (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-'),"
            + " got \"" + k.imageTag() + "\"");
    for (int i = 0; i < k.imagePullSecrets().size(); i++) {
      c.dnsSubdomain(k.imagePullSecrets().get(i), SpecPath.index("cluster.imagePullSecrets", i));
    }
    for (int i = 0; i < k.tolerations().size(); i++) {
      TolerationSpec t = k.tolerations().get(i);
      String p = SpecPath.index("cluster.tolerations", i);
      c.oneOf(t.operator(), TOLERATION_OPERATORS, p + ".operator");
      c.oneOf(t.effect(), TAINT_EFFECTS, p + ".effect");
      if ("Exists".equals(t.operator())) {
        c.require(t.value() == null || t.value().isEmpty(), p + ".value", "must be empty when operator is Exists");
      } else if ("Equal".equals(t.operator())) {
        c.required(t.key(), p + ".key", "a taint key (operator Equal)");
      }
    }
  }

  private static void duplicates(List<?> values, String path, Checks c) {
    Set<Object> seen = new HashSet<>();
    List<Object> repeated = new ArrayList<>();
    for (Object v : values) {
      if (v != null && !seen.add(v) && !repeated.contains(v)) {
        repeated.add(v);
      }
    }
    c.require(repeated.isEmpty(), path, "lists " + repeated + " more than once");
  }
}
