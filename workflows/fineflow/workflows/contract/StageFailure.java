package fineflow.workflows.contract;

import java.util.List;

/**
 * Why a stage failed, as the classifier saw it; the details of every non-still-running failure.
 *
 * @param reason a {@link FailureType} name
 * @param hint what the user can change to fix it
 * @param logTail the last lines (about 50) of the pod's log
 */
public record StageFailure(
    String stage, String reason, String message, String hint, List<String> logTail) {

  public StageFailure {
    logTail = logTail == null ? List.of() : List.copyOf(logTail);
  }
}
