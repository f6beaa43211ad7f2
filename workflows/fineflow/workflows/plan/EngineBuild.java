package fineflow.workflows.plan;

import static fineflow.workflows.plan.CacheKey.OUT;

import fineflow.workflows.spec.EngineSpec;
import fineflow.workflows.spec.LoraModuleMap;
import fineflow.workflows.spec.PipelineSpec;
import java.util.List;
import java.util.Map;

/**
 * engine-build: {@code trtllm-build} (docs/upstream-tools.md "trtllm-build"), with the LoRA plugin
 * for adapters.
 */
final class EngineBuild {
  private EngineBuild() {
  }

  /**
   * The TensorRT-LLM module names of the adapter: the spec's, or the training names mapped once
   * by {@link LoraModuleMap}, so trtllm-build, the LoRA pre-check and the adapter agree (the
   * {@code map::at} of docs/manual-procedure.md "Pitfalls").
   */
  static List<String> loraTargets(PipelineSpec spec) {
    List<String> given = spec.engine().lora().targetModules();
    return given != null ? given : LoraModuleMap.toTrtllm(spec.training().lora().targetModules());
  }

  /** True when the engine must accept LoRA adapters at serving time. */
  static boolean withLora(PipelineSpec spec) {
    return spec.fineTunes() && spec.training().method().usesAdapters();
  }

  static StageDraft draft(PipelineSpec spec, Upstream up) {
    EngineSpec e = spec.engine();
    String checkpoint = up.out(StageName.CHECKPOINT_CONVERT);
    EngineBuildParams params = new EngineBuildParams(checkpoint, OUT, e.dtype(), e.maxBatchSize(),
        e.maxInputLen(), e.maxSeqLen(), e.maxNumTokens(), e.maxBeamWidth(), e.kvCacheType(),
        withLora(spec)
            ? new EngineBuildParams.Lora(e.dtype(), e.lora().maxRank(), loraTargets(spec)) : null);
    return new StageDraft(StageName.ENGINE_BUILD, StageKind.JOB, e.image(), params,
        Map.of("PYTHONUNBUFFERED", "1", "TLLM_LOG_LEVEL", "INFO"), List.of(),
        new Resources(spec.cluster().gpuCount(), spec.cluster().gpuResource(), "8", "32Gi"),
        List.of(Workspace.readOnly(checkpoint).orElseThrow(), StageDraft.outputMount()),
        2 * 3_600, 10 * 60, List.of(StageName.CHECKPOINT_CONVERT),
        List.of(new ArtifactRef("engine", OUT)),
        "Build the engine (batch " + e.maxBatchSize() + ", input " + e.maxInputLen() + ", seq "
            + e.maxSeqLen() + (withLora(spec) ? ", LoRA rank " + e.lora().maxRank() : "") + ")",
        Map.of());
  }
}
