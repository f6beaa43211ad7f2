package fineflow.workflows.pipeline;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where a run is; also the value of the {@code FineflowState} search attribute. */
public enum RunState {
  RUNNING,
  /** A stage failed non-retryably; the run waits for {@code resume} or {@code abort}. */
  PAUSED,
  SUCCEEDED,
  /** Aborted by the user while paused. */
  FAILED,
  CANCELLED;

  @JsonValue
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public String toString() {
    return id();
  }
}
