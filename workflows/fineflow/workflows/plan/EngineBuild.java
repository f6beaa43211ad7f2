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
    Argv tool = new Argv("trtllm-build")
        .opt("--checkpoint_dir", checkpoint)
        .opt("--output_dir", OUT)
        .opt("--gpt_attention_plugin", "auto")
        .opt("--gemm_plugin", "auto")
        .opt("--max_batch_size", e.maxBatchSize())
        .opt("--max_input_len", e.maxInputLen())
        .opt("--max_seq_len", e.maxSeqLen())
        .opt("--max_num_tokens", e.maxNumTokens())
        .opt("--max_beam_width", e.maxBeamWidth())
        .opt("--kv_cache_type", e.kvCacheType());
    if (withLora(spec)) {
      tool.opt("--lora_plugin", e.dtype())
          .opt("--max_lora_rank", e.lora().maxRank())
          .add("--lora_target_modules")
          .addAll(loraTargets(spec));
    }
    List<String> argv = new StageRunner(StageName.ENGINE_BUILD)
        .expect("checkpoint", checkpoint)
        .expect("dtype", e.dtype())
        .wrap(tool.build());
    return new StageDraft(StageName.ENGINE_BUILD, StageKind.JOB, e.image(), argv,
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
