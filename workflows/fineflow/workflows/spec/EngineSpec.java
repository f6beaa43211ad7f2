package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * TensorRT-LLM checkpoint conversion + trtllm-build (docs/upstream-tools.md "trtllm-build",
 * "Checkpoint conversion"). Used by the triton backend; trtllm-serve and vllm read only
 * {@link #maxBatchSize}, {@link #maxSeqLen} and {@link #maxNumTokens}.
 */
public record EngineSpec(
    @JsonPropertyDescription("The one dtype of checkpoint conversion, LoRA conversion and Triton logits: float16 or bfloat16.")
    String dtype,
    @JsonPropertyDescription("Weight-only quantization: none, int8, int4, int4_awq, int8_gptq, int4_gptq.")
    String weightOnlyPrecision,
    Boolean int8KvCache,
    @JsonPropertyDescription("Calibration samples for int8 KV cache / AWQ.")
    Integer calibSize,
    Boolean perGroup,
    @JsonPropertyDescription("paged, continuous or disabled.")
    String kvCacheType,
    Integer maxBatchSize,
    Integer maxInputLen,
    Integer maxSeqLen,
    Integer maxNumTokens,
    Integer maxBeamWidth,
    EngineLoraSpec lora,
    Integer tpSize,
    Integer ppSize,
    @JsonPropertyDescription("LoRA conversion storage type; must equal dtype (defaults to it).")
    String loraStorageType,
    @JsonPropertyDescription("Image with TensorRT-LLM and Triton.")
    String image) {

  public static final String DEFAULT_IMAGE = "nvcr.io/nvidia/tritonserver:25.09-trtllm-python-py3";

  public EngineSpec {
    dtype = dtype == null ? "float16" : dtype;
    weightOnlyPrecision = weightOnlyPrecision == null ? "none" : weightOnlyPrecision;
    int8KvCache = int8KvCache != null && int8KvCache;
    calibSize = calibSize == null ? 512 : calibSize;
    perGroup = perGroup != null && perGroup;
    kvCacheType = kvCacheType == null ? "paged" : kvCacheType;
    maxBatchSize = maxBatchSize == null ? 16 : maxBatchSize;
    maxInputLen = maxInputLen == null ? 2048 : maxInputLen;
    maxSeqLen = maxSeqLen == null ? 4096 : maxSeqLen;
    maxNumTokens = maxNumTokens == null ? 8192 : maxNumTokens;
    maxBeamWidth = maxBeamWidth == null ? 1 : maxBeamWidth;
    lora = lora == null ? EngineLoraSpec.defaults() : lora;
    tpSize = tpSize == null ? 1 : tpSize;
    ppSize = ppSize == null ? 1 : ppSize;
    loraStorageType = loraStorageType == null ? dtype : loraStorageType;
    image = image == null ? DEFAULT_IMAGE : image;
  }

  public static EngineSpec defaults() {
    return new EngineSpec(null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null);
  }

  /** GPUs one engine instance needs. */
  public int worldSize() {
    return tpSize * ppSize;
  }
}
