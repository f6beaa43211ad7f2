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
