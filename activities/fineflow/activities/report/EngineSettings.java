package fineflow.activities.report;

import fineflow.workflows.spec.EngineSpec;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.ServingBackend;
import java.util.ArrayList;
import java.util.List;

/**
 * The serving settings a reader needs to interpret the numbers, as the run's spec set them.
 *
 * @param dtype the engine's dtype; null for backends that build no TensorRT engine (they read
 *     only the batch size and lengths of {@code engine}, see {@link EngineSpec})
 * @param quantization {@code engine.weightOnlyPrecision}, with int8 KV cache when set; null as dtype
 * @param loraRank the adapter's rank when the served model carries a LoRA adapter, else null
 */
public record EngineSettings(String backend, String dtype, String quantization, int maxBatchSize,
    Integer loraRank) {

  public static EngineSettings of(PipelineSpec spec) {
    EngineSpec e = spec.engine();
    boolean engine = spec.serving().backend() == ServingBackend.TRITON;
    String quantization = e.weightOnlyPrecision() + (e.int8KvCache() ? " + int8 KV cache" : "");
    boolean adapter = spec.fineTunes() && spec.training().method().usesAdapters();
    return new EngineSettings(spec.serving().backend().wireName(), engine ? e.dtype() : null,
        engine ? quantization : null, e.maxBatchSize(), adapter ? spec.training().lora().r() : null);
  }

  /** {@code triton, float16, weights none, max batch 16, LoRA r=8}. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    parts.add(backend);
    if (dtype != null) {
      parts.add(dtype);
    }
    if (quantization != null) {
      parts.add("quantization " + quantization);
    }
    parts.add("max batch " + maxBatchSize);
    parts.add(loraRank == null ? "no LoRA" : "LoRA r=" + loraRank);
    return String.join(", ", parts);
  }
}
