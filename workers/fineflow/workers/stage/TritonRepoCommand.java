package fineflow.workers.stage;

import fineflow.workers.VersionProvider;
import fineflow.activities.stages.tritonrepo.TritonRepo;
import fineflow.activities.stages.tritonrepo.TritonRepoRequest;
import fineflow.workflows.plan.StageParams;
import fineflow.workflows.plan.TritonRepoParams;
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

  @Option(names = StageParams.OPTION, required = true, paramLabel = "JSON",
      description = {"The stage's parameters as the planner made them (TritonRepoParams):",
          "skeleton, engineDir, tokenizerDir, loraPrefetchDir, maxBatchSize, decoupled,",
          "logitsDatatype, batchingStrategy, kvCacheFreeGpuMemFraction,",
          "maxQueueDelayMicroseconds, the instance counts and output."})
  String params;

  @Option(names = "--max-queue-size", defaultValue = "0", paramLabel = "N",
      description = "Dynamic batching queue size (0 = unbounded). Default: ${DEFAULT-VALUE}.")
  int maxQueueSize;

  @Option(names = "--add-special-tokens", arity = "1", defaultValue = "true", paramLabel = "true|false",
      description = "Whether preprocessing adds BOS; false when prompts already start with <s>. Default: ${DEFAULT-VALUE}.")
  boolean addSpecialTokens;

  @Option(names = "--set", paramLabel = "NAME=VALUE",
      description = "Value for another placeholder, e.g. enable_kv_cache_reuse=true (repeatable).")
  Map<String, String> extraValues = new LinkedHashMap<>();

  @Override
  public Integer call() {
    TritonRepoRequest request;
    try {
      request = new TritonRepoRequest(StageParams.fromJson(params, TritonRepoParams.class),
          maxQueueSize, addSpecialTokens, extraValues);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    return result.run(spec.commandLine().getOut(), spec.commandLine().getErr(),
        () -> TritonRepo.run(request).message());
  }
}
