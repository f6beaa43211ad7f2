package fineflow.workflows.pipeline;

import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.StageProgress;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.common.converter.DataConverter;
import java.util.List;
import java.util.Optional;

/**
 * What a client shows as a run's progress: the workflow's stage table plus the line the
 * running stage printed last.
 *
 * <p>The workflow cannot know that line: the await activity reports it in the details of its
 * {@code StillRunning} failure (and of its heartbeat), and those stay in the pending activity's
 * retry state until the stage ends; recording them would cost history events per poll. A
 * client (e.g. {@code fineflow watch}) therefore calls {@code progress} and describes the
 * workflow, then merges the two with the pure functions below.
 */
public final class ProgressView {
  private ProgressView() {
  }

  /** The table with {@code latest} on the running stage's row; unchanged when none runs. */
  public static RunProgress merge(RunProgress table, StageProgress latest) {
    if (latest == null) {
      return table;
    }
    List<StageStatus> rows = table.stages().stream()
        .map(row -> row.state() == StageState.RUNNING && row.stage() == table.currentStage()
            ? row.withProgress(latest.podName(), latest.line()) : row)
        .toList();
    return new RunProgress(table.runId(), table.pipeline(), table.model(), table.backend(),
        table.specDigest(), table.specRevision(), table.runState(), table.startedAt(),
        table.finishedAt(), table.currentStage(), table.pausedStage(), table.abortReason(), rows,
        table.gate(), table.launches());
  }

  /**
   * The latest progress of the run's pending await activity, from a describe response's
   * pending activities: the details of its last {@code StillRunning} failure when they hold a
   * line, else of its last heartbeat.
   */
  public static Optional<StageProgress> latest(List<PendingActivityInfo> pending,
      DataConverter converter) {
    return pending.stream()
        .filter(a -> StageActivityOptions.AWAIT.equals(a.getActivityType().getName()))
        .findFirst()
        .flatMap(a -> {
          Optional<StageProgress> failed = fromLastFailure(a, converter);
          // A look-again after an API error carries no line: the heartbeat may still have one.
          return failed.filter(p -> p.line() != null)
              .or(() -> fromHeartbeat(a, converter))
              .or(() -> failed);
        });
  }

  private static Optional<StageProgress> fromLastFailure(PendingActivityInfo activity,
      DataConverter converter) {
    if (!activity.hasLastFailure() || !activity.getLastFailure().hasApplicationFailureInfo()) {
      return Optional.empty();
    }
    var info = activity.getLastFailure().getApplicationFailureInfo();
    if (!FailureType.STILL_RUNNING.type().equals(info.getType()) || !info.hasDetails()) {
      return Optional.empty();
    }
    return decode(info.getDetails(), converter);
  }

  private static Optional<StageProgress> fromHeartbeat(PendingActivityInfo activity,
      DataConverter converter) {
    return activity.hasHeartbeatDetails()
        ? decode(activity.getHeartbeatDetails(), converter) : Optional.empty();
  }

  private static Optional<StageProgress> decode(Payloads payloads, DataConverter converter) {
    if (payloads.getPayloadsCount() == 0) {
      return Optional.empty();
    }
    return Optional.ofNullable(converter.fromPayloads(0, Optional.of(payloads),
        StageProgress.class, StageProgress.class));
  }
}
