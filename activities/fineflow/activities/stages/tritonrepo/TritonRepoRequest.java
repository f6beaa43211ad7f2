package fineflow.activities.stages.tritonrepo;

import fineflow.workflows.plan.TritonRepoParams;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything triton-repo needs: the planned parameters as the planner made them, and the values
 * the planner leaves to the program's own options. Paths are written into the configs as given
 * (the serving pod mounts the workspace at the same place as this stage's pod). The constructor
 * checks what arrives from the pod's {@code --params} JSON, so bad input is named before anything
 * is written.
 *
 * @param maxQueueSize dynamic batching queue size, 0 = unbounded
 * @param addSpecialTokens whether preprocessing adds BOS
 * @param extraValues values for further placeholders ({@code --set name=value}), e.g.
 *     {@code enable_kv_cache_reuse}, {@code gpu_device_ids}; may not repeat a named one
 */
public record TritonRepoRequest(TritonRepoParams params, int maxQueueSize, boolean addSpecialTokens,
                                Map<String, String> extraValues) {

  /** logits datatype value meaning "whatever the engine's logits are". */
  public static final String AUTO = "auto";
  /** gpt_model_type values the C++ backend accepts. */
  public static final Set<String> BATCHING_STRATEGIES =
      Set.of("inflight_fused_batching", "inflight_batching", "V1");

  public TritonRepoRequest {
    Objects.requireNonNull(params, "params");
    required(params.skeleton(), "skeleton");
    required(params.engineDir(), "engineDir");
    required(params.tokenizerDir(), "tokenizerDir");
    required(params.logitsDatatype(), "logitsDatatype");
    required(params.batchingStrategy(), "batchingStrategy");
    required(params.output(), "output");
    extraValues = extraValues == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extraValues));
    positive("max batch size", params.maxBatchSize());
    positive("preprocessing instances", params.preprocessingInstances());
    positive("postprocessing instances", params.postprocessingInstances());
    positive("bls instances", params.blsInstances());
    if (params.maxQueueDelayMicroseconds() < 0 || maxQueueSize < 0) {
      throw new IllegalArgumentException("queue delay and queue size must be >= 0");
    }
    double kv = params.kvCacheFreeGpuMemFraction();
    if (!(kv > 0 && kv <= 1)) {
      throw new IllegalArgumentException("kv cache free GPU memory fraction must be > 0 and <= 1, got " + kv);
    }
    if (!params.logitsDatatype().equals(AUTO) && TritonDataType.ofTriton(params.logitsDatatype()).isEmpty()) {
      throw new IllegalArgumentException("logits datatype must be TYPE_FP16, TYPE_BF16, TYPE_FP32 or auto, got "
          + params.logitsDatatype());
    }
    if (!BATCHING_STRATEGIES.contains(params.batchingStrategy())) {
      throw new IllegalArgumentException("batching strategy must be one of "
          + new TreeSet<>(BATCHING_STRATEGIES) + ", got " + params.batchingStrategy());
    }
  }

  public Path skeleton() {
    return Path.of(params.skeleton());
  }

  public Path engineDir() {
    return Path.of(params.engineDir());
  }

  public Path tokenizerDir() {
    return Path.of(params.tokenizerDir());
  }

  /** Folder of converted adapters ({@code <dir>/<task id>/model.lora_*.npy}); null without LoRA. */
  public Path loraPrefetchDir() {
    return params.loraPrefetchDir() == null ? null : Path.of(params.loraPrefetchDir());
  }

  public Path output() {
    return Path.of(params.output());
  }

  private static void required(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("the triton-repo parameters have no " + name);
    }
  }

  private static void positive(String what, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(what + " must be >= 1, got " + value);
    }
  }
}
