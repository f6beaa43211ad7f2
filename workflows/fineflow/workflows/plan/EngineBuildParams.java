package fineflow.workflows.plan;

import java.util.List;

/**
 * engine-build's parameters: {@code trtllm-build}'s values (docs/upstream-tools.md
 * "trtllm-build") and what stage_runner.py checks the checkpoint and the built engine's
 * config.json against.
 *
 * @param lora the LoRA plugin's values; null for an engine without adapters
 */
public record EngineBuildParams(String checkpointDir, String outputDir, String dtype,
    int maxBatchSize, int maxInputLen, int maxSeqLen, int maxNumTokens, int maxBeamWidth,
    String kvCacheType, Lora lora) implements StageParams {

  /**
   * @param pluginDtype {@code --lora_plugin}
   * @param maxRank {@code --max_lora_rank}
   * @param targetModules {@code --lora_target_modules}, TensorRT-LLM names
   */
  public record Lora(String pluginDtype, int maxRank, List<String> targetModules) {
    public Lora {
      targetModules = List.copyOf(targetModules);
    }
  }

  @Override
  public List<String> argv() {
    Argv tool = new Argv("trtllm-build")
        .opt("--checkpoint_dir", checkpointDir)
        .opt("--output_dir", outputDir)
        .opt("--gpt_attention_plugin", "auto")
        .opt("--gemm_plugin", "auto")
        .opt("--max_batch_size", maxBatchSize)
        .opt("--max_input_len", maxInputLen)
        .opt("--max_seq_len", maxSeqLen)
        .opt("--max_num_tokens", maxNumTokens)
        .opt("--max_beam_width", maxBeamWidth)
        .opt("--kv_cache_type", kvCacheType);
    if (lora != null) {
      tool.opt("--lora_plugin", lora.pluginDtype())
          .opt("--max_lora_rank", lora.maxRank())
          .add("--lora_target_modules")
          .addAll(lora.targetModules());
    }
    return new Argv("python3", Programs.STAGE_RUNNER).opt(OPTION, json()).add("--")
        .addAll(tool.build()).build();
  }
}
