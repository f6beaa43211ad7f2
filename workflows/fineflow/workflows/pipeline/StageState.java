package fineflow.workflows.pipeline;

import com.fasterxml.jackson.annotation.JsonValue;

/** A stage's row state in the {@code progress} table. */
public enum StageState {
  PENDING,
  RUNNING,
  SUCCEEDED,
  /** An earlier run (or an earlier revision of this run) recorded a result for its cache key. */
  CACHED,
  /** The run was aborted while this stage was paused. */
  FAILED,
  /** Failed non-retryably; the run waits for a resume that re-runs it. */
  PAUSED,
  CANCELLED,
  /** Not part of this spec's plan (e.g. no engine build for trtllm-serve, benchmark disabled). */
  SKIPPED;

  @JsonValue
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public String toString() {
    return id();
  }
}
