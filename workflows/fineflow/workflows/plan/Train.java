package fineflow.workflows.plan;

import static fineflow.workflows.plan.CacheKey.OUT;

import fineflow.workflows.spec.LoraSpec;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.QuantizationSpec;
import fineflow.workflows.spec.TrainingMethod;
import fineflow.workflows.spec.TrainingSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** train: fineflow's own LoRA/QLoRA/full trainer ({@code train.py}) in the trainer image. */
final class Train {
  static final String PROGRAM = Programs.path("train.py");
  static final String ADAPTER_DIR = "adapter";
  static final String MODEL_DIR = "model";
  static final String CHECKPOINTS_DIR = "checkpoints";

  private Train() {
  }

  static StageDraft draft(PipelineSpec spec, Upstream up) {
    TrainingSpec t = spec.training();
    ModelRef model = ModelRef.base(spec);
    String data = DatasetPrep.dataDir(up);
    TrainParams.Lora lora = null;
    if (t.method().usesAdapters()) {
      LoraSpec l = t.lora();
      lora = new TrainParams.Lora(l.r(), l.alpha(), l.dropout(), l.targetModules(), l.bias());
    }
    TrainParams.Quantization quantization = null;
    if (t.method() == TrainingMethod.QLORA) {
      QuantizationSpec q = t.quantization() != null
          ? t.quantization() : new QuantizationSpec(null, null, null, null);
      quantization = new TrainParams.Quantization(q.bits(), q.quantType(), q.doubleQuant(),
          q.computeDtype());
    }
    TrainParams params = new TrainParams(model.location(),
        // The snapshot model-fetch pinned: the commit, not the branch name.
        model.inHfCache() ? ModelFetch.SHA : spec.model().revision(),
        data + "/" + DatasetPrep.TRAIN_FILE, data + "/" + DatasetPrep.VALIDATION_FILE, OUT,
        Argv.text(t.method()), lora, quantization, t.epochs(), t.microBatchSize(),
        t.gradientAccumulationSteps(), t.learningRate(), t.scheduler(), t.warmupSteps(),
        t.optimizer().transformersName(), t.gradientCheckpointing(), Argv.text(t.precision()),
        t.maxSeqLen(), t.evalSteps(), t.saveSteps(), t.loggingSteps(), spec.dataset().seed(),
        spec.model().trustRemoteCode());

    List<VolumeMount> volumes = new ArrayList<>(model.mounts());
    volumes.add(Workspace.readOnly(up.out(StageName.DATASET_PREP)).orElseThrow());
    volumes.add(HuggingFace.cacheMount());
    volumes.add(StageDraft.outputMount());
    String weights = t.method().usesAdapters() ? ADAPTER_DIR : MODEL_DIR;
    return new StageDraft(StageName.TRAIN, StageKind.JOB, t.image(), params,
        Map.of("HF_HOME", Workspace.HF_HOME, "PYTHONUNBUFFERED", "1"),
        HuggingFace.token(spec),
        new Resources(spec.cluster().gpuCount(), spec.cluster().gpuResource(), "8", "64Gi"),
        volumes, 6 * 3_600, expectedSeconds(t.method()),
        List.of(StageName.MODEL_FETCH, StageName.DATASET_PREP),
        List.of(new ArtifactRef(weights, OUT + "/" + weights),
            new ArtifactRef(CHECKPOINTS_DIR, OUT + "/" + CHECKPOINTS_DIR)),
        summary(spec), Map.of());
  }

  /**
   * The manual run's trainings on one H100, 3 epochs over ~1,100 examples: LoRA 19 m 52 s, QLoRA
   * 26 m 52 s (docs/manual-procedure.md "Memory and durations").
   */
  private static long expectedSeconds(TrainingMethod method) {
    return switch (method) {
      case LORA -> 20 * 60;
      case QLORA -> 27 * 60;
      case FULL -> 60 * 60;
    };
  }

  private static String summary(PipelineSpec spec) {
    TrainingSpec t = spec.training();
    String how = t.method().usesAdapters()
        ? Argv.text(t.method()) + " r=" + t.lora().r() + " on " + t.lora().targetModules().size()
            + " modules"
        : "full fine-tuning";
    return "Fine-tune " + spec.model().id() + " (" + how + ", " + t.epochs() + " epochs)";
  }
}
