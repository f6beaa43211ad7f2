package fineflow.workflows.plan;

import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.TrainingMethod;
import java.util.List;

/**
 * Where a stage finds a model or tokenizer: a Hugging Face id (downloaded into the shared
 * {@link Workspace#HF_HOME}) or a workspace path (mounted read-only).
 *
 * <p>A spec value that starts with "/" is a path; anything else ({@code org/name}) is a Hugging
 * Face id, since a relative path and an id cannot be told apart.
 *
 * <p>The base model (and a tokenizer that is the base model's) is read as model-fetch pinned it:
 * from its snapshot in the workspace's HF cache, or from its workspace path; either way the
 * stage consumes model-fetch, whose recorded sha is folded into its key.
 *
 * @param producedBy the stages that write or pin the model (model-fetch; train, for full
 *     fine-tuning)
 * @param name what summaries call it: the spec's id for a snapshot, else the location
 */
record ModelRef(String location, boolean onWorkspace, List<StageName> producedBy, String name) {

  ModelRef(String location, boolean onWorkspace, List<StageName> producedBy) {
    this(location, onWorkspace, producedBy, location);
  }

  static ModelRef of(String field, String idOrPath) {
    if (idOrPath.startsWith("/")) {
      return new ModelRef(Workspace.resolve(field, idOrPath), true, List.of());
    }
    return new ModelRef(idOrPath, false, List.of());
  }

  /** The base model of the spec, as model-fetch pinned it. */
  static ModelRef base(PipelineSpec spec) {
    return pinned("model.id", spec.model().id());
  }

  /** The base model's tokenizer is read from its snapshot; another tokenizer id from the Hub. */
  static ModelRef tokenizer(PipelineSpec spec) {
    String tokenizer = spec.model().tokenizer();
    return tokenizer.equals(spec.model().id()) ? pinned("model.tokenizer", tokenizer)
        : of("model.tokenizer", tokenizer);
  }

  private static ModelRef pinned(String field, String idOrPath) {
    String location = idOrPath.startsWith("/") ? Workspace.resolve(field, idOrPath)
        : ModelFetch.snapshotDir(idOrPath, ModelFetch.SHA);
    return new ModelRef(location, true, List.of(StageName.MODEL_FETCH), idOrPath);
  }

  /** In the shared HF cache, which stages mount whole: a snapshot's files link to its blobs. */
  boolean inHfCache() {
    return location.startsWith(Workspace.HF_HOME + "/");
  }

  /**
   * The weights to convert or serve: full fine-tuning replaces them with train's {@code model}
   * folder; LoRA keeps the base model and adds the adapter at serving time.
   */
  static ModelRef served(PipelineSpec spec, Upstream up) {
    if (up.has(StageName.TRAIN) && spec.training().method() == TrainingMethod.FULL) {
      return new ModelRef(up.out(StageName.TRAIN) + "/" + Train.MODEL_DIR, true,
          List.of(StageName.TRAIN));
    }
    return base(spec);
  }

  /** Read-only mount of a workspace model; none for the HF cache, which stages mount already. */
  List<VolumeMount> mounts() {
    return onWorkspace && !inHfCache() ? Workspace.readOnly(location).stream().toList() : List.of();
  }
}
