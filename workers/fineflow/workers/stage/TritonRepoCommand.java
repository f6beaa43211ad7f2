package fineflow.workers.stage;

import fineflow.workers.VersionProvider;
import fineflow.activities.stages.tritonrepo.TritonRepo;
import fineflow.activities.stages.tritonrepo.TritonRepoRequest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code fineflow stage triton-repo}: a filled, checked Triton model repository (see TritonRepo). */
@Command(
    name = "triton-repo",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Copy the inflight_batcher_llm skeleton fresh, fill every $${…} placeholder of each",
        "config.pbtxt, check the values against the engine's config.json, write a manifest."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:written", "2:bad options, skeleton, or values inconsistent with the engine",
        "4:a placeholder is left or a filled value is inconsistent"})
final class TritonRepoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  StageResultFile result;

  @Option(names = "--skeleton", required = true, paramLabel = "DIR",
      description = "The inflight_batcher_llm folder of the Triton image (copied by an init container).")
  Path skeleton;

  @Option(names = "--engine-dir", required = true, paramLabel = "DIR",
      description = "Engine folder (config.json + rank*.engine), as the server will see it.")
  Path engineDir;

  @Option(names = "--tokenizer-dir", required = true, paramLabel = "DIR", description = "Tokenizer folder.")
  Path tokenizerDir;

  @Option(names = "--lora-prefetch-dir", paramLabel = "DIR",
      description = "Converted LoRA adapters (<DIR>/<task id>/model.lora_*.npy); omit to serve without LoRA.")
  Path loraPrefetchDir;

  @Option(names = "--max-batch-size", required = true, paramLabel = "N",
      description = "triton_max_batch_size; must equal the engine's max_batch_size.")
  int maxBatchSize;

  @Option(names = "--decoupled", arity = "1", defaultValue = "true", paramLabel = "true|false",
      description = "Decoupled mode (streaming). Default: ${DEFAULT-VALUE}.")
  boolean decoupled;

  @Option(names = "--logits-datatype", defaultValue = "auto", paramLabel = "TYPE",
      description = {"TYPE_FP16, TYPE_BF16 or TYPE_FP32: must match the engine's logits dtype",
          "(pretrained_config.logits_dtype, float32 unless set at conversion); auto takes the",
          "engine's. Default: ${DEFAULT-VALUE}."})
  String logitsDatatype;

  @Option(names = "--batching-strategy", defaultValue = "inflight_fused_batching", paramLabel = "S",
      description = "inflight_fused_batching, inflight_batching or V1. Default: ${DEFAULT-VALUE}.")
  String batchingStrategy;

  @Option(names = "--kv-cache-free-gpu-mem-fraction", defaultValue = "0.9", paramLabel = "X",
      description = "Share of free GPU memory for the KV cache, 0 < X <= 1. Default: ${DEFAULT-VALUE}.")
  double kvCacheFreeGpuMemFraction;

  @Option(names = "--max-queue-delay-microseconds", defaultValue = "0", paramLabel = "N",
      description = "Dynamic batching queue delay. Default: ${DEFAULT-VALUE}.")
  int maxQueueDelayMicroseconds;

  @Option(names = "--max-queue-size", defaultValue = "0", paramLabel = "N",
      description = "Dynamic batching queue size (0 = unbounded). Default: ${DEFAULT-VALUE}.")
  int maxQueueSize;

  @Option(names = "--preprocessing-instances", defaultValue = "1", paramLabel = "N",
      description = "Default: ${DEFAULT-VALUE}.")
  int preprocessingInstances;

  @Option(names = "--postprocessing-instances", defaultValue = "1", paramLabel = "N",
      description = "Default: ${DEFAULT-VALUE}.")
  int postprocessingInstances;

  @Option(names = "--bls-instances", defaultValue = "1", paramLabel = "N",
      description = "Default: ${DEFAULT-VALUE}.")
  int blsInstances;

  @Option(names = "--add-special-tokens", arity = "1", defaultValue = "true", paramLabel = "true|false",
      description = "Whether preprocessing adds BOS; false when prompts already start with <s>. Default: ${DEFAULT-VALUE}.")
  boolean addSpecialTokens;

  @Option(names = "--set", paramLabel = "NAME=VALUE",
      description = "Value for another placeholder, e.g. enable_kv_cache_reuse=true (repeatable).")
  Map<String, String> extraValues = new LinkedHashMap<>();

  @Option(names = "--output", required = true, paramLabel = "DIR",
      description = "The model repository to create (a previous triton-repo output there is replaced).")
  Path output;

  @Override
  public Integer call() {
    TritonRepoRequest request;
    try {
      request = new TritonRepoRequest(skeleton, engineDir, tokenizerDir, loraPrefetchDir, maxBatchSize,
          decoupled, logitsDatatype, batchingStrategy, kvCacheFreeGpuMemFraction,
          maxQueueDelayMicroseconds, maxQueueSize, preprocessingInstances, postprocessingInstances,
          blsInstances, addSpecialTokens, extraValues, output);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    return result.run(spec.commandLine().getOut(), spec.commandLine().getErr(),
        () -> TritonRepo.run(request).message());
  }
}
