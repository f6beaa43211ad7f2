package fineflow.workflows.plan;

import java.util.List;

/**
 * lora-convert's parameters: {@code hf_lora_convert.py}'s values and what stage_runner.py checks
 * the adapter and the converted weights against.
 *
 * @param adapterDir the PEFT adapter train wrote
 * @param outputDir the stage's output directory (the prefetch dir); the tool writes {@code taskId}
 *     under it
 * @param taskId the LoRA task id Triton serves the adapter as
 * @param storageType the converted weights' dtype ({@code --storage-type})
 * @param maxRank the engine's {@code --max_lora_rank}: the adapter's rank may not exceed it
 * @param targets the TensorRT-LLM module names the engine was built for
 */
public record LoraConvertParams(String adapterDir, String outputDir, long taskId,
    String storageType, int maxRank, List<String> targets) implements StageParams {

  public LoraConvertParams {
    targets = List.copyOf(targets);
  }

  @Override
  public List<String> argv() {
    return new Argv("python3", Programs.STAGE_RUNNER).opt(OPTION, json()).add("--")
        .add("python3", LoraConvert.CONVERTER)
        .opt("-i", adapterDir)
        .opt("-o", outputDir + "/" + taskId)
        .opt("--storage-type", storageType)
        .build();
  }
}
