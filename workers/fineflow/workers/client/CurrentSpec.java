package fineflow.workers.client;

import fineflow.workflows.pipeline.PipelineRequest;
import fineflow.workflows.pipeline.ResumeRequest;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecDigest;
import fineflow.workflows.spec.SpecException;
import fineflow.workflows.spec.SpecLoader;
import fineflow.workflows.spec.SpecPatch;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DataConverterException;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The spec a run holds now, read back from its history: the submitted spec (the start event's
 * {@link PipelineRequest}) with every resume that completed applied in order, as the workflow
 * applied them. The result counts only when its digest is the one the run reports, so a
 * history this reading does not follow yields nothing rather than another run's settings.
 */
public final class CurrentSpec {
  private CurrentSpec() {
  }

  public static Optional<PipelineSpec> of(RunProgress progress, List<HistoryEvent> history,
      DataConverter converter) {
    if (history.isEmpty() || !history.get(0).hasWorkflowExecutionStartedEventAttributes()) {
      return Optional.empty();
    }
    try {
      PipelineSpec spec = converter.fromPayloads(0,
          Optional.of(history.get(0).getWorkflowExecutionStartedEventAttributes().getInput()),
          PipelineRequest.class, PipelineRequest.class).spec();
      for (ResumeRequest resume : completedResumes(history, converter)) {
        if (resume.replacesSpec()) {
          spec = SpecLoader.load(resume.specYaml(), "resume");
        } else if (!resume.set().isEmpty()) {
          spec = SpecPatch.apply(spec, resume.set());
        }
      }
      return SpecDigest.of(spec).equals(progress.specDigest()) ? Optional.of(spec) : Optional.empty();
    } catch (SpecException | DataConverterException unreadable) {
      return Optional.empty();
    }
  }

  /** Resumes accepted and then completed without failure (a failed one changed nothing), in order. */
  private static List<ResumeRequest> completedResumes(List<HistoryEvent> history, DataConverter converter) {
    Set<String> succeeded = new HashSet<>();
    for (HistoryEvent e : history) {
      if (e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED
          && e.getWorkflowExecutionUpdateCompletedEventAttributes().getOutcome().hasSuccess()) {
        succeeded.add(e.getWorkflowExecutionUpdateCompletedEventAttributes().getMeta().getUpdateId());
      }
    }
    Map<String, ResumeRequest> accepted = new LinkedHashMap<>();
    for (HistoryEvent e : history) {
      if (e.getEventType() != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) {
        continue;
      }
      var request = e.getWorkflowExecutionUpdateAcceptedEventAttributes().getAcceptedRequest();
      if ("resume".equals(request.getInput().getName())) {
        accepted.put(request.getMeta().getUpdateId(), converter.fromPayloads(0,
            Optional.of(request.getInput().getArgs()), ResumeRequest.class, ResumeRequest.class));
      }
    }
    accepted.keySet().retainAll(succeeded);
    return List.copyOf(accepted.values());
  }
}
