package fineflow.workflows.plan;

import java.util.List;

/**
 * {@code trtllm-serve serve} on the PyTorch backend, over Hugging Face weights.
 *
 * @param model the weights' location (a workspace folder or a Hub id)
 * @param ppSize rendered only above 1
 * @param extraOptionsFile the {@code --extra_llm_api_options} YAML the Deployment mounts (LoRA
 *     config and {@code serving.extraOptions}); null = none
 */
public record TrtllmServeCommand(String model, int maxBatchSize, int maxSeqLen, int maxNumTokens,
    double kvCacheFreeGpuMemFraction, int tpSize, int ppSize, boolean trustRemoteCode, String extraOptionsFile)
    implements ServerCommand {

  @Override
  public List<String> argv() {
    Argv argv = new Argv("trtllm-serve", "serve", model)
        .opt("--host", "0.0.0.0")
        .opt("--port", ServingEndpoint.HTTP_PORT)
        .opt("--backend", "pytorch")
        .opt("--max_batch_size", maxBatchSize)
        .opt("--max_seq_len", maxSeqLen)
        .opt("--max_num_tokens", maxNumTokens)
        .opt("--kv_cache_free_gpu_memory_fraction", kvCacheFreeGpuMemFraction)
        .opt("--tp_size", tpSize);
    if (ppSize > 1) {
      argv.opt("--pp_size", ppSize);
    }
    argv.flagIf(trustRemoteCode, "--trust_remote_code");
    if (extraOptionsFile != null) {
      argv.opt("--extra_llm_api_options", extraOptionsFile);
    }
    return argv.build();
  }
}
