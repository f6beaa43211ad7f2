package fineflow.workflows.contract;

import java.util.Arrays;

/**
 * Temporal failure types raised by the stage activities. Retryable ones are retried by the
 * activity retry policy; the others pause the run until a resume or an abort.
 */
public enum FailureType {
  /** Not a failure: the stage is still running; the await activity's retry does the waiting. */
  STILL_RUNNING("StillRunning", true),
  /** Eviction, node loss, API 5xx/429, connection errors. */
  TRANSIENT("Transient", true),
  OUT_OF_MEMORY("OutOfMemory", false),
  IMAGE_PULL("ImagePull", false),
  UNSCHEDULABLE("Unschedulable", false),
  BAD_ARGUMENTS("BadArguments", false),
  OUTPUT_INVALID("OutputInvalid", false),
  /** The stage's container failed for a reason the classifier does not know. */
  STAGE_FAILED("StageFailed", false),
  /** A rollout's smoke test or the promotion gate failed. */
  SMOKE_TEST_FAILED("SmokeTestFailed", false),
  SLO_NOT_MET("SloNotMet", false);

  private final String type;
  private final boolean retryable;

  FailureType(String type, boolean retryable) {
    this.type = type;
    this.retryable = retryable;
  }

  /** The string used as {@code ApplicationFailure} type. */
  public String type() {
    return type;
  }

  public boolean retryable() {
    return retryable;
  }

  /** Types a retry policy must not retry. */
  public static String[] nonRetryableTypes() {
    return Arrays.stream(values()).filter(f -> !f.retryable).map(FailureType::type)
        .toArray(String[]::new);
  }
}
