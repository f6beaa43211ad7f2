package fineflow.workflows.plan;

import java.util.List;

/**
 * triton-repo's parameters ({@code fineflow stage triton-repo}): where the skeleton, engine,
 * tokenizer and converted adapters are, and the values of the placeholders the plan decides.
 *
 * @param loraPrefetchDir folder of converted adapters ({@code <dir>/<task id>/model.lora_*.npy});
 *     null when serving without LoRA
 * @param maxBatchSize triton_max_batch_size: the engine's max batch size (engine.maxBatchSize),
 *     which triton-repo checks against the built engine's config.json
 * @param logitsDatatype TYPE_FP16, TYPE_BF16, TYPE_FP32, or {@code auto} for the engine's own
 */
public record TritonRepoParams(
    String skeleton,
    String engineDir,
    String tokenizerDir,
    String loraPrefetchDir,
    int maxBatchSize,
    boolean decoupled,
    String logitsDatatype,
    String batchingStrategy,
    double kvCacheFreeGpuMemFraction,
    int maxQueueDelayMicroseconds,
    int preprocessingInstances,
    int postprocessingInstances,
    int blsInstances,
    String output) implements StageParams {

  @Override
  public List<String> argv() {
    return new Argv("fineflow", "stage", "triton-repo").opt(OPTION, json()).build();
  }
}
