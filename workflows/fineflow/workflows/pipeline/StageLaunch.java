package fineflow.workflows.pipeline;

import com.fasterxml.jackson.annotation.JsonValue;
import fineflow.workflows.contract.StageFailure;
import fineflow.workflows.plan.StageName;
import java.time.Instant;
import java.util.Locale;

/**
 * One launch of one stage, kept for the whole run (a relaunch or a resume adds one, nothing
 * replaces one), so an audit sees every attempt and under which spec revision it ran.
 *
 * @param launch 1 for the stage's first launch in this run
 * @param revision the spec revision the launch ran under
 * @param objectName the Job (or Deployment) the launch created or adopted
 * @param adopted the launch found its object already there (a retried launch) and reused it
 * @param reason a {@code FailureType} name when it failed; {@code message} and {@code hint} with it
 * @param pausedRun the failure paused the run (else the workflow relaunched the stage)
 */
public record StageLaunch(
    StageName stage, int launch, int revision, Instant startedAt, Instant finishedAt,
    String objectName, String podName, boolean adopted, Outcome outcome, String reason,
    String message, String hint, boolean pausedRun) {

  /** How a launch ended, or {@code running}. */
  public enum Outcome {
    RUNNING, SUCCEEDED, FAILED, CANCELLED;

    @JsonValue
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static StageLaunch started(StageName stage, int launch, int revision, Instant now) {
    return new StageLaunch(stage, launch, revision, now, null, null, null, false, Outcome.RUNNING,
        null, null, null, false);
  }

  boolean running() {
    return outcome == Outcome.RUNNING;
  }

  StageLaunch launched(String object, boolean wasAdopted) {
    return new StageLaunch(stage, launch, revision, startedAt, finishedAt, object, podName,
        wasAdopted, outcome, reason, message, hint, pausedRun);
  }

  StageLaunch succeeded(String pod, Instant now) {
    return new StageLaunch(stage, launch, revision, startedAt, now, objectName,
        pod == null ? podName : pod, adopted, Outcome.SUCCEEDED, null, null, null, false);
  }

  StageLaunch failed(StageFailure failure, boolean paused, Instant now) {
    return new StageLaunch(stage, launch, revision, startedAt, now, objectName, podName, adopted,
        Outcome.FAILED, failure.reason(), failure.message(), failure.hint(), paused);
  }

  StageLaunch cancelled(Instant now) {
    return new StageLaunch(stage, launch, revision, startedAt, now, objectName, podName, adopted,
        Outcome.CANCELLED, null, null, null, false);
  }

  /** e.g. "engine-build launch 2, revision 2": the launch's and await's activity summary. */
  public String label() {
    return stage.id() + " launch " + launch + ", revision " + revision;
  }
}
