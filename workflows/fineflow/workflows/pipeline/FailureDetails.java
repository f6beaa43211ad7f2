package fineflow.workflows.pipeline;

import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.StageFailure;
import fineflow.workflows.plan.Stage;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import java.util.List;

/** Reads an activity's failure as the {@link StageFailure} the run pauses with. */
final class FailureDetails {
  static final String TIMEOUT = "Timeout";

  private FailureDetails() {
  }

  static StageFailure read(Stage stage, ActivityFailure failure) {
    Throwable cause = failure.getCause();
    if (cause instanceof ApplicationFailure app
        && FailureType.STILL_RUNNING.type().equals(app.getType())) {
      // The await's retries ended at its schedule-to-close timeout: the stage's own timeout.
      return new StageFailure(stage.name().id(), TIMEOUT,
          "the stage did not finish within its timeout of " + StageActivityOptions.stageTimeout(stage)
              .toSeconds() + " s, and the cluster gave no verdict within "
              + StageActivityOptions.AWAIT_GRACE.toSeconds() + " s after it",
          "read the stage's log; to give it longer, resume with --set cluster.stageTimeoutSeconds."
              + stage.name().id() + "=SECONDS", List.of());
    }
    if (cause instanceof ApplicationFailure app) {
      StageFailure reported = reported(app);
      if (reported != null) {
        return reported;
      }
      return new StageFailure(stage.name().id(), app.getType(), app.getOriginalMessage(),
          defaultHint(app.getType()), List.of());
    }
    if (cause instanceof TimeoutFailure timeout) {
      return new StageFailure(stage.name().id(), TIMEOUT, failure.getActivityType()
          + " timed out (" + timeout.getTimeoutType() + ")",
          "the Kubernetes API did not answer in time; resume to try again", List.of());
    }
    String message = cause == null ? failure.getMessage() : cause.getMessage();
    String type = cause == null ? failure.getClass().getSimpleName() : cause.getClass().getSimpleName();
    return new StageFailure(stage.name().id(), type, message, defaultHint(type), List.of());
  }

  /** True when the await saw the stage's object die for a reason a relaunch may not meet again. */
  static boolean relaunchable(ActivityFailure failure) {
    return failure.getCause() instanceof ApplicationFailure app
        && FailureType.TRANSIENT.type().equals(app.getType());
  }

  private static StageFailure reported(ApplicationFailure app) {
    if (app.getDetails() == null || app.getDetails().getSize() == 0) {
      return null;
    }
    try {
      return app.getDetails().get(StageFailure.class);
    } catch (RuntimeException notAStageFailure) {
      // Details of another shape (a plain exception's): fall back to the failure's own message.
      return null;
    }
  }

  private static String defaultHint(String type) {
    for (FailureType known : FailureType.values()) {
      if (known.type().equals(type)) {
        return switch (known) {
          case OUT_OF_MEMORY -> "lower the batch size or sequence length, or use qlora";
          case IMAGE_PULL -> "check the image name and cluster.imagePullSecrets";
          case UNSCHEDULABLE -> "no node could take the pod: check GPU capacity, nodeSelector and"
              + " tolerations";
          case BAD_ARGUMENTS -> "the stage rejected its input: fix the spec and resume";
          case OUTPUT_INVALID -> "the stage's output failed validation: see the log tail";
          case SMOKE_TEST_FAILED, SLO_NOT_MET -> "see the log tail; fix the serving settings and"
              + " resume";
          case STAGE_FAILED, TRANSIENT, STILL_RUNNING -> "see the log tail; resume to run the"
              + " stage again";
        };
      }
    }
    return "see the worker's log; resume to run the stage again";
  }
}
