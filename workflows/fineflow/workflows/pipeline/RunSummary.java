package fineflow.workflows.pipeline;

import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.ServingBackend;
import fineflow.workflows.spec.TrainingSpec;

/**
 * The one-line static summary of a run, shown in the Temporal UI's workflow list; the starter
 * sets it with {@code WorkflowOptions.setStaticSummary}. Holds names and settings only.
 */
public final class RunSummary {
  private RunSummary() {
  }

  /** The line with the spec's digest, as the starter sets it: the UI's list shows what ran under which spec. */
  public static String of(PipelineRequest request) {
    return of(request.spec()) + " · spec " + StageTable.shortDigest(request.plan().specDigest());
  }

  /**
   * The static details (Markdown): model, backend, spec digest and the planned stages, as
   * submitted; the current details show where the run is now.
   */
  public static String details(PipelineRequest request) {
    PipelineSpec spec = request.spec();
    StringBuilder md = new StringBuilder();
    md.append("**Run** ").append(request.runId()).append(" of pipeline ").append(request.plan().pipeline())
        .append("\n\n| Model | Backend | Spec digest | Namespace |\n|---|---|---|---|\n| ")
        .append(spec.model().id()).append(" | ").append(spec.serving().backend().wireName()).append(" | ")
        .append(request.plan().specDigest()).append(" | ").append(request.namespace()).append(" |\n\n")
        .append("Stages: ").append(String.join(" → ",
            request.plan().stages().stream().map(s -> s.name().id()).toList())).append('\n');
    return md.toString();
  }

  public static String of(PipelineSpec spec) {
    StringBuilder line = new StringBuilder();
    TrainingSpec training = spec.training();
    if (spec.fineTunes()) {
      line.append(training.method().name().toLowerCase(java.util.Locale.ROOT))
          .append(" fine-tune of ").append(spec.model().id());
      if (training.method().usesAdapters()) {
        line.append(" (r=").append(training.lora().r()).append(", ")
            .append(training.epochs()).append(" epochs)");
      } else {
        line.append(" (").append(training.epochs()).append(" epochs)");
      }
    } else {
      line.append(spec.model().id()).append(" as is");
    }
    if (spec.serving().backend() == ServingBackend.TRITON) {
      line.append(" → TensorRT-LLM engine ").append(spec.engine().dtype())
          .append(" batch ").append(spec.engine().maxBatchSize());
    }
    line.append(" → ").append(spec.serving().backend().wireName());
    if (spec.benchmark().enabled()) {
      line.append(" → benchmark");
    }
    return line.toString();
  }
}
