package fineflow.workflows.plan;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code vllm serve}, over Hugging Face weights, with the PEFT adapter as a LoRA module.
 *
 * @param revision the Hub revision; null for weights on the workspace
 * @param tensorParallelSize rendered only above 1, as {@code pipelineParallelSize}
 * @param adapterName with {@code adapterPath} and {@code maxLoraRank}: {@code --enable-lora
 *     --lora-modules NAME=PATH}; null = no adapter
 * @param extraFlags {@code serving.extraOptions}, extra {@code vllm serve} flags: true → bare flag,
 *     false → left out, anything else → {@code --key value}; in key order
 */
public record VllmServeCommand(String model, String revision, int maxNumSeqs, int maxModelLen,
    double gpuMemoryUtilization, int tensorParallelSize, int pipelineParallelSize, boolean trustRemoteCode,
    String adapterName, String adapterPath, Integer maxLoraRank, Map<String, Object> extraFlags)
    implements ServerCommand {

  public VllmServeCommand {
    extraFlags = extraFlags == null ? Map.of() : Map.copyOf(extraFlags);
  }

  @Override
  public List<String> argv() {
    Argv argv = new Argv("vllm", "serve", model)
        .opt("--host", "0.0.0.0")
        .opt("--port", ServingEndpoint.HTTP_PORT);
    if (revision != null) {
      argv.opt("--revision", revision);
    }
    argv.opt("--max-num-seqs", maxNumSeqs)
        .opt("--max-model-len", maxModelLen)
        .opt("--gpu-memory-utilization", gpuMemoryUtilization);
    if (tensorParallelSize > 1) {
      argv.opt("--tensor-parallel-size", tensorParallelSize);
    }
    if (pipelineParallelSize > 1) {
      argv.opt("--pipeline-parallel-size", pipelineParallelSize);
    }
    argv.flagIf(trustRemoteCode, "--trust-remote-code");
    if (adapterName != null) {
      argv.add("--enable-lora")
          .opt("--lora-modules", adapterName + "=" + adapterPath)
          .opt("--max-lora-rank", maxLoraRank);
    }
    new TreeMap<>(extraFlags).forEach((key, value) -> {
      if (value instanceof Boolean on) {
        argv.flagIf(on, "--" + key);
      } else {
        argv.opt("--" + key, value);
      }
    });
    return argv.build();
  }
}
