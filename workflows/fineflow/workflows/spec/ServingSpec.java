package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

// "tritonMaxBatchSize": what specs held before Triton's batch size became engine.maxBatchSize
// alone; runs recorded then still replay. A loaded spec that sets it is told (SpecBinder).
@JsonIgnoreProperties({"tritonMaxBatchSize"})
public record ServingSpec(
    @JsonPropertyDescription("triton (engine + Triton), trtllm-serve (PyTorch backend, no engine) or vllm.")
    ServingBackend backend,
    Integer replicas,
    InstanceCounts instanceCounts,
    @JsonPropertyDescription("Triton decoupled mode (needed for streaming).")
    Boolean decoupled,
    @JsonPropertyDescription("kv_cache_free_gpu_mem_fraction (0 < x <= 1).")
    Double kvCacheFreeGpuMemFraction,
    @JsonPropertyDescription("Triton logits_datatype (TYPE_FP16, TYPE_FP32, TYPE_BF16); default: read from the built engine, which keeps logits in float32 unless built otherwise.")
    String logitsDatatype,
    String batchingStrategy,
    Integer maxQueueDelayMicroseconds,
    @JsonPropertyDescription("trtllm-serve extra_llm_api_options (YAML object), or extra vllm serve flags.")
    Map<String, Object> extraOptions,
    @JsonPropertyDescription("Server image; defaults per backend.")
    String image,
    @JsonPropertyDescription("Optional promotion gate on benchmark results.")
    SloSpec slo) {

  public ServingSpec {
    backend = backend == null ? ServingBackend.TRITON : backend;
    replicas = replicas == null ? 1 : replicas;
    instanceCounts = instanceCounts == null ? InstanceCounts.defaults() : instanceCounts;
    decoupled = decoupled == null || decoupled;
    kvCacheFreeGpuMemFraction = kvCacheFreeGpuMemFraction == null ? 0.9 : kvCacheFreeGpuMemFraction;
    batchingStrategy = batchingStrategy == null ? "inflight_fused_batching" : batchingStrategy;
    maxQueueDelayMicroseconds = maxQueueDelayMicroseconds == null ? 0 : maxQueueDelayMicroseconds;
    extraOptions = extraOptions == null ? Map.of() : Map.copyOf(extraOptions);
    image = image == null ? backend.defaultImage() : image;
  }

  public static ServingSpec defaults() {
    return new ServingSpec(null, null, null, null, null, null, null, null, null, null, null);
  }
}
