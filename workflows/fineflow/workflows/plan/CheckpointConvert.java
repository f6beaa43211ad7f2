package fineflow.workflows.plan;

import static fineflow.workflows.plan.CacheKey.OUT;

import fineflow.workflows.spec.ArchitectureSpec;
import fineflow.workflows.spec.EngineSpec;
import fineflow.workflows.spec.PipelineSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * checkpoint-convert: Hugging Face weights → TensorRT-LLM checkpoint. Modes that calibrate
 * (int4 AWQ, int8 KV cache) run {@code examples/quantization/quantize.py} (ModelOpt): the
 * Llama {@code convert_checkpoint.py} sends int4 AWQ there itself, and its {@code --per_group}
 * means nothing to quantize.py. Calibration reads the run's own training split from dataset-prep
 * ({@code --calib_dataset DIR}, a local folder; the default {@code cnn_dailymail} would be
 * downloaded from the Hub, which an air-gapped cluster cannot do). Other modes convert with
 * {@code convert_checkpoint.py} (docs/upstream-tools.md "Checkpoint conversion"), which then
 * calibrates nothing.
 */
final class CheckpointConvert {
  static final String QUANTIZE = "/app/examples/quantization/quantize.py";
  /** AWQ's group size: quantize.py's default, and convert_checkpoint.py's --group_size 128. */
  static final int AWQ_BLOCK_SIZE = 128;

  private CheckpointConvert() {
  }

  /** The example's folder is named after config.json's model_type (llama, qwen, …). */
  static String converter(PipelineSpec spec) {
    ArchitectureSpec arch = spec.model().architecture();
    String type = arch == null ? "llama" : arch.modelType();
    return "/app/examples/models/core/" + type + "/convert_checkpoint.py";
  }

  /** Whether conversion calibrates on sample text (and so needs dataset-prep's split). */
  static boolean calibrates(EngineSpec e) {
    return e.int8KvCache() || e.weightOnlyPrecision().contains("awq");
  }

  static StageDraft draft(PipelineSpec spec, Upstream up) {
    EngineSpec e = spec.engine();
    ModelRef model = ModelRef.served(spec, up);
    boolean weightOnly = !"none".equals(e.weightOnlyPrecision());
    List<VolumeMount> volumes = new ArrayList<>(model.mounts());
    List<StageName> consumes = new ArrayList<>(model.producedBy());
    CheckpointConvertParams params;
    CheckpointConvertParams.Parallel parallel = e.worldSize() > 1
        ? new CheckpointConvertParams.Parallel(e.tpSize(), e.ppSize()) : null;
    if (calibrates(e)) {
      if (!up.has(StageName.DATASET_PREP)) {
        throw new IllegalArgumentException("engine: " + e.weightOnlyPrecision()
            + (e.int8KvCache() ? " with int8 KV cache" : "")
            + " calibrates on the training split, and training is disabled");
      }
      String calibration = DatasetPrep.dataDir(up) + "/" + DatasetPrep.CALIBRATION_DIR;
      params = new CheckpointConvertParams(QUANTIZE, model.location(), OUT, e.dtype(), null,
          new CheckpointConvertParams.Quantize(qformat(e.weightOnlyPrecision()),
              e.weightOnlyPrecision().contains("awq") ? AWQ_BLOCK_SIZE : null,
              e.int8KvCache() ? "int8" : null, e.calibSize(), calibration),
          parallel);
      volumes.add(Workspace.readOnly(up.out(StageName.DATASET_PREP)).orElseThrow());
      consumes.add(StageName.DATASET_PREP);
    } else {
      params = new CheckpointConvertParams(converter(spec), model.location(), OUT, e.dtype(),
          weightOnly ? e.weightOnlyPrecision() : null, null, parallel);
    }

    volumes.add(HuggingFace.cacheMount());
    volumes.add(StageDraft.outputMount());
    return new StageDraft(StageName.CHECKPOINT_CONVERT, StageKind.JOB, e.image(), params,
        Map.of("HF_HOME", Workspace.HF_HOME, "PYTHONUNBUFFERED", "1", "TLLM_LOG_LEVEL", "INFO"),
        HuggingFace.token(spec),
        new Resources(spec.cluster().gpuCount(), spec.cluster().gpuResource(), "8", "64Gi"),
        volumes, 2 * 3_600, 10 * 60, consumes,
        List.of(new ArtifactRef("checkpoint", OUT)),
        "Convert " + model.name() + " to a TensorRT-LLM checkpoint (" + e.dtype()
            + (weightOnly ? ", " + e.weightOnlyPrecision() : "")
            + (e.int8KvCache() ? ", int8 KV cache" : "") + ")",
        Map.of());
  }

  /** engine.weightOnlyPrecision → quantize.py's --qformat (int8/int4: weight-only, no calibration). */
  private static String qformat(String weightOnlyPrecision) {
    return switch (weightOnlyPrecision) {
      case "none" -> "full_prec";
      case "int8" -> "int8_wo";
      case "int4" -> "int4_wo";
      case "int4_awq" -> "int4_awq";
      default -> throw new IllegalArgumentException("engine.weightOnlyPrecision: "
          + weightOnlyPrecision + " with int8 KV cache has no quantize.py format; use none, int8,"
          + " int4 or int4_awq");
    };
  }
}
