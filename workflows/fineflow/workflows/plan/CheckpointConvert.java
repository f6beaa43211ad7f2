package fineflow.workflows.plan;

import static fineflow.workflows.plan.CacheKey.OUT;

import fineflow.workflows.spec.ArchitectureSpec;
import fineflow.workflows.spec.EngineSpec;
import fineflow.workflows.spec.PipelineSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * checkpoint-convert: Hugging Face weights → TensorRT-LLM checkpoint
 * ({@code convert_checkpoint.py}, REFERENCE-NVIDIA §2), with weight-only quantization and
 * int8 KV cache calibrated on the GPU. A Hugging Face id is loaded through transformers into the
 * shared HF_HOME; the converter has no revision flag, so it reads the default branch — pin a
 * revision by pointing model.id at a workspace copy.
 */
final class CheckpointConvert {
  private CheckpointConvert() {
  }

  /** The example's folder is named after config.json's model_type (llama, qwen, …). */
  static String converter(PipelineSpec spec) {
    ArchitectureSpec arch = spec.model().architecture();
    String type = arch == null ? "llama" : arch.modelType();
    return "/app/examples/models/core/" + type + "/convert_checkpoint.py";
  }

  static StageDraft draft(PipelineSpec spec, Upstream up) {
    EngineSpec e = spec.engine();
    ModelRef model = ModelRef.served(spec, up);
    Argv tool = new Argv("python3", converter(spec))
        .opt("--model_dir", model.location())
        .opt("--output_dir", OUT)
        .opt("--dtype", e.dtype());
    boolean weightOnly = !"none".equals(e.weightOnlyPrecision());
    if (weightOnly) {
      tool.add("--use_weight_only").opt("--weight_only_precision", e.weightOnlyPrecision());
    }
    tool.flagIf(e.int8KvCache(), "--int8_kv_cache");
    // Only int8 KV cache and AWQ calibrate; the flag means nothing to the other modes.
    if (e.int8KvCache() || e.weightOnlyPrecision().contains("awq")) {
      tool.opt("--calib_size", e.calibSize());
    }
    tool.flagIf(e.perGroup(), "--per_group");
    if (e.worldSize() > 1) {
      tool.opt("--tp_size", e.tpSize()).opt("--pp_size", e.ppSize());
    }
    List<String> argv = new StageRunner(StageName.CHECKPOINT_CONVERT)
        .expect("dtype", e.dtype())
        .wrap(tool.build());

    List<VolumeMount> volumes = new ArrayList<>(model.mounts());
    volumes.add(HuggingFace.cacheMount());
    volumes.add(StageDraft.outputMount());
    return new StageDraft(StageName.CHECKPOINT_CONVERT, StageKind.JOB, e.image(), argv,
        Map.of("HF_HOME", Workspace.HF_HOME, "PYTHONUNBUFFERED", "1", "TLLM_LOG_LEVEL", "INFO"),
        HuggingFace.token(spec),
        new Resources(spec.cluster().gpuCount(), spec.cluster().gpuResource(), "8", "64Gi"),
        volumes, 2 * 3_600, 10 * 60, model.producedBy(),
        List.of(new ArtifactRef("checkpoint", OUT)),
        "Convert " + model.location() + " to a TensorRT-LLM checkpoint (" + e.dtype()
            + (weightOnly ? ", " + e.weightOnlyPrecision() : "")
            + (e.int8KvCache() ? ", int8 KV cache" : "") + ")",
        Map.of());
  }
}
