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
 * @param producedBy the stage that writes the model (train, for full fine-tuning), if any
 */
record ModelRef(String location, boolean onWorkspace, List<StageName> producedBy) {

  static ModelRef of(String field, String idOrPath) {
    if (idOrPath.startsWith("/")) {
      return new ModelRef(Workspace.resolve(field, idOrPath), true, List.of());
    }
    return new ModelRef(idOrPath, false, List.of());
  }

  /** The base model of the spec. */
  static ModelRef base(PipelineSpec spec) {
    return of("model.id", spec.model().id());
  }

  static ModelRef tokenizer(PipelineSpec spec) {
    return of("model.tokenizer", spec.model().tokenizer());
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

  List<VolumeMount> mounts() {
    return onWorkspace ? Workspace.readOnly(location).stream().toList() : List.of();
  }
}
