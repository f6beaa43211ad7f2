package fineflow.activities.stages.tritonrepo;

import fineflow.workflows.plan.TritonRepoParams;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything triton-repo needs: where the skeleton and engine are, and the values of the
 * placeholders the plan decides. Paths are written into the configs as given (the serving pod
 * mounts the workspace at the same place as this stage's pod).
 *
 * @param logitsDatatype TYPE_FP16, TYPE_BF16, TYPE_FP32, or {@link #AUTO} for the engine's own
 *     logits dtype (TensorRT-LLM checkpoints default to float32 logits even for float16 weights)
 * @param loraPrefetchDir folder of converted adapters ({@code <dir>/<task id>/model.lora_*.npy});
 *     null when serving without LoRA
 * @param extraValues values for further placeholders ({@code --set name=value}), e.g.
 *     {@code enable_kv_cache_reuse}, {@code gpu_device_ids}; may not repeat a named one
 */
public record TritonRepoRequest(Path skeleton, Path engineDir, Path tokenizerDir,
                                Path loraPrefetchDir, int maxBatchSize, boolean decoupled,
                                String logitsDatatype, String batchingStrategy,
                                double kvCacheFreeGpuMemFraction, int maxQueueDelayMicroseconds,
                                int maxQueueSize, int preprocessingInstances,
                                int postprocessingInstances, int blsInstances,
                                boolean addSpecialTokens, Map<String, String> extraValues,
                                Path output) {

  /** logits datatype value meaning "whatever the engine's logits are". */
  public static final String AUTO = "auto";
  /** gpt_model_type values the C++ backend accepts. */
  public static final Set<String> BATCHING_STRATEGIES =
      Set.of("inflight_fused_batching", "inflight_batching", "V1");

  public TritonRepoRequest {
    Objects.requireNonNull(skeleton, "skeleton");
    Objects.requireNonNull(engineDir, "engineDir");
    Objects.requireNonNull(tokenizerDir, "tokenizerDir");
    Objects.requireNonNull(logitsDatatype, "logitsDatatype");
    Objects.requireNonNull(batchingStrategy, "batchingStrategy");
    Objects.requireNonNull(output, "output");
    extraValues = extraValues == null ? Map.of()
        : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extraValues));
    positive("max batch size", maxBatchSize);
    positive("preprocessing instances", preprocessingInstances);
    positive("postprocessing instances", postprocessingInstances);
    positive("bls instances", blsInstances);
    if (maxQueueDelayMicroseconds < 0 || maxQueueSize < 0) {
      throw new IllegalArgumentException("queue delay and queue size must be >= 0");
    }
    if (!(kvCacheFreeGpuMemFraction > 0 && kvCacheFreeGpuMemFraction <= 1)) {
      throw new IllegalArgumentException(
          "kv cache free GPU memory fraction must be > 0 and <= 1, got " + kvCacheFreeGpuMemFraction);
    }
    if (!logitsDatatype.equals(AUTO) && TritonDataType.ofTriton(logitsDatatype).isEmpty()) {
      throw new IllegalArgumentException("logits datatype must be TYPE_FP16, TYPE_BF16, TYPE_FP32 or auto, got "
          + logitsDatatype);
    }
    if (!BATCHING_STRATEGIES.contains(batchingStrategy)) {
      throw new IllegalArgumentException("batching strategy must be one of "
          + new java.util.TreeSet<>(BATCHING_STRATEGIES) + ", got " + batchingStrategy);
    }
  }

  /**
   * The request of the planned parameters, with the values the planner leaves to the program's
   * own options (queue size, BOS, further placeholders).
   */
  public static TritonRepoRequest of(TritonRepoParams p, int maxQueueSize, boolean addSpecialTokens,
      Map<String, String> extraValues) {
    return new TritonRepoRequest(path(p.skeleton(), "skeleton"), path(p.engineDir(), "engineDir"),
        path(p.tokenizerDir(), "tokenizerDir"),
        p.loraPrefetchDir() == null ? null : Path.of(p.loraPrefetchDir()), p.maxBatchSize(),
        p.decoupled(), Objects.requireNonNull(p.logitsDatatype(), "logitsDatatype"),
        Objects.requireNonNull(p.batchingStrategy(), "batchingStrategy"),
        p.kvCacheFreeGpuMemFraction(), p.maxQueueDelayMicroseconds(), maxQueueSize,
        p.preprocessingInstances(), p.postprocessingInstances(), p.blsInstances(),
        addSpecialTokens, extraValues, path(p.output(), "output"));
  }

  private static Path path(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("the triton-repo parameters have no " + name);
    }
    return Path.of(value);
  }

  private static void positive(String what, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(what + " must be >= 1, got " + value);
    }
  }
}
