package fineflow.workers.client;

import fineflow.workflows.contract.Artifact;
import fineflow.workflows.pipeline.ResumeRequest;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.pipeline.StageLaunch;
import fineflow.workflows.pipeline.StageStatus;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.common.converter.DataConverter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything {@code fineflow show} tells about one run: spec revisions (from the accepted resume
 * updates in its history), each stage with its launches, durations, artifacts and failure, and a
 * summary of the history's events.
 *
 * @param launches per stage: pods started over the whole run, resumes included
 * @param timeline the run's pauses and resumes, oldest first: they stay after the run succeeds
 */
public record RunAudit(
    String runId, String state, String temporalStatus, String pipeline, String model, String backend,
    String specDigest, int specRevision, Instant startTime, Instant closeTime,
    List<Revision> revisions, List<Stage> stages, List<Moment> timeline, Events events) {

  /** A pause or a resume: when, and what happened. */
  public record Moment(Instant at, String event) {
  }

  /** @param change what the resume changed: its assignments, or "whole spec replaced" */
  public record Revision(int revision, Instant at, String change) {
  }

  /**
   * @param attempts every launch of the stage, first to last, with how each ended
   * @param keyChange the input that re-keyed the stage in this run (StageStatus), or null
   * @param released how the run released the stage's server once the benchmark ended
   *     (StageStatus), e.g. "released (benchmark failed)"; null while it holds it or had none
   */
  public record Stage(
      String name, String state, int launches, Instant startedAt, Instant finishedAt, Double durationSeconds,
      String objectName, String podName, boolean simulated, List<Artifact> artifacts,
      Map<String, Double> metrics, String reason, String lastError, String hint, List<StageLaunch> attempts,
      String keyChange, String released) {

    /** The stage as the run's state holds it, with its launches. */
    public static Stage of(StageStatus s, List<StageLaunch> attempts) {
      StageStatus.Launch l = s.launch();
      StageStatus.Result r = s.result();
      StageStatus.Failure f = s.failure();
      return new Stage(s.stage().id(), s.state().id(), l.count(), l.startedAt(), l.finishedAt(),
          s.elapsed() == null ? null : s.elapsed().toMillis() / 1000.0, l.objectName(), l.podName(),
          r.simulated(), r.artifacts(), r.metrics(), f.reason(), f.message(), f.hint(), attempts,
          s.identity().keyChange(), r.released());
    }
  }

  public record Events(int total, Map<String, Integer> byType) {
  }

  public static RunAudit of(RunClient runs, String runId) {
    RunProgress p = runs.progress(runId);
    WorkflowExecutionDescription d = runs.describe(runId);
    List<HistoryEvent> history = runs.history(runId);
    DataConverter converter = runs.workflowClient().getOptions().getDataConverter();
    List<Revision> revisions = revisions(history, converter);
    return new RunAudit(runId, p.runState().id(),
        d.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase(Locale.ROOT),
        p.pipeline(), p.model(), p.backend(), p.specDigest(), p.specRevision(), d.getStartTime(),
        d.getCloseTime(), revisions, p.stages().stream().map(s -> Stage.of(s, p.launchesOf(s.stage()))).toList(),
        timeline(p.launches(), revisions), events(history));
  }

  /** Pauses (launches whose failure paused the run) and resumes (revisions after the first). */
  private static List<Moment> timeline(List<StageLaunch> launches, List<Revision> revisions) {
    List<Moment> out = new ArrayList<>();
    for (StageLaunch l : launches) {
      if (l.pausedRun()) {
        out.add(new Moment(l.finishedAt(), "paused at " + l.stage().id() + " (" + l.label() + "): " + l.reason()
            + ": " + l.message() + (l.hint() == null ? "" : "; hint: " + l.hint())));
      }
    }
    for (Revision r : revisions) {
      if (r.revision() > 1) {
        out.add(new Moment(r.at(), "resumed as revision " + r.revision() + ": " + r.change()));
      }
    }
    out.sort(java.util.Comparator.comparing(Moment::at, java.util.Comparator.nullsLast(
        java.util.Comparator.naturalOrder())));
    return out;
  }

  private static List<Revision> revisions(List<HistoryEvent> history, DataConverter converter) {
    List<Revision> out = new ArrayList<>();
    if (!history.isEmpty()) {
      out.add(new Revision(1, time(history.get(0)), "submitted"));
    }
    for (HistoryEvent e : history) {
      if (e.getEventType() != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) {
        continue;
      }
      var input = e.getWorkflowExecutionUpdateAcceptedEventAttributes().getAcceptedRequest().getInput();
      if (!"resume".equals(input.getName())) {
        continue;
      }
      ResumeRequest request = converter.fromPayloads(0, Optional.of(input.getArgs()), ResumeRequest.class,
          ResumeRequest.class);
      String change = request.replacesSpec() ? "whole spec replaced"
          : request.set().isEmpty() ? "resumed unchanged" : String.join(", ", request.set());
      out.add(new Revision(out.size() + 1, time(e), change));
    }
    return out;
  }

  private static Events events(List<HistoryEvent> history) {
    Map<String, Integer> byType = new TreeMap<>();
    for (HistoryEvent e : history) {
      String type = e.getEventType().name().replace("EVENT_TYPE_", "").toLowerCase(Locale.ROOT);
      byType.merge(type, 1, Integer::sum);
    }
    return new Events(history.size(), byType);
  }

  private static Instant time(HistoryEvent e) {
    return Instant.ofEpochSecond(e.getEventTime().getSeconds(), e.getEventTime().getNanos());
  }
}
