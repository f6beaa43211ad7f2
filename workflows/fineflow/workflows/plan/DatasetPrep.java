package fineflow.workflows.plan;

import static fineflow.workflows.plan.CacheKey.OUT;

import fineflow.workflows.spec.DatasetSpec;
import fineflow.workflows.spec.PipelineSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * dataset-prep: validates the records, applies the chat template, splits train/validation.
 * Its input is a workspace file the CLI cannot read, so it runs on every pass
 * ({@link OutputPin#alwaysRuns}) and writes into a sub-folder named after the sha256 of what it
 * wrote ({@link DatasetPrepParams#contentAddressed}: {@code <out>/<digest>/train.jsonl}, renamed into place
 * whole), which its result records; the stages after it read that folder ({@link #dataDir}) and
 * are keyed by the digest. Two runs that share the planned key but read different data so
 * never write to, or read from, the same folder.
 */
final class DatasetPrep {
  static final String TRAIN_FILE = "train.jsonl";
  static final String VALIDATION_FILE = "validation.jsonl";
  static final String MANIFEST = "manifest.json";
  /** The training split as calibration text for checkpoint-convert (fineflow's DatasetPrep). */
  static final String CALIBRATION_DIR = "calibration";

  /** Stands for the recorded digest until the run has it ({@link Plan#pinned}). */
  static final String SHA = OutputPin.DATASET_SHA;

  private DatasetPrep() {
  }

  /** The folder the stages after dataset-prep read: its output's content-addressed sub-folder. */
  static String dataDir(Upstream up) {
    return up.out(StageName.DATASET_PREP) + "/" + SHA;
  }

  static StageDraft draft(PipelineSpec spec) {
    DatasetSpec dataset = spec.dataset();
    if (dataset == null) {
      throw new IllegalArgumentException("dataset: required when training is enabled");
    }
    String input = Workspace.resolve("dataset.path", dataset.path());
    DatasetPrepParams params = new DatasetPrepParams(input, dataset.format(), dataset.template(),
        dataset.systemPrompt(), dataset.fields(), dataset.validationSplit(), dataset.seed(), dataset.onInvalid(),
        spec.engine().maxInputLen(), OUT, true);

    List<VolumeMount> volumes = new ArrayList<>();
    Workspace.readOnly(input).ifPresent(volumes::add);
    volumes.add(StageDraft.outputMount());
    return new StageDraft(StageName.DATASET_PREP, StageKind.JOB, FineflowImage.of(spec),
        params, Map.of(), List.of(), Resources.cpuOnly("1", "2Gi"), volumes,
        1_800, 60, List.of(),
        List.of(new ArtifactRef("train", OUT + "/" + SHA + "/" + TRAIN_FILE),
            new ArtifactRef("validation", OUT + "/" + SHA + "/" + VALIDATION_FILE),
            new ArtifactRef("manifest", OUT + "/" + SHA + "/" + MANIFEST)),
        "Validate " + input + ", apply the " + Argv.text(dataset.template())
            + " template, split " + Argv.text(dataset.validationSplit()) + " for validation",
        Map.of());
  }
}
