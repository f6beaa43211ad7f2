package fineflow.workers.dev;

import fineflow.workflows.plan.StageName;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code --fail-stage S --fail-times N}: the first N pods of stage S exit with a bad-argument error. */
final class FailureInjection {
  /** The exit code stage programs use for bad arguments: a non-retryable failure that pauses the run. */
  static final int EXIT_BAD_ARGUMENTS = 2;

  private final StageName stage;
  private final int times;
  private final AtomicInteger failed = new AtomicInteger();

  FailureInjection(String stage, int times) {
    this.stage = stage == null ? null : StageName.of(stage);
    this.times = times;
  }

  boolean shouldFail(StageName s) {
    return s == stage && failed.getAndUpdate(n -> n < times ? n + 1 : n) < times;
  }

  StageOutcome outcome(StageName s) {
    String line = "[simulated] error: failure injected by --fail-stage " + s
        + " (" + failed.get() + " of " + times + "); change the spec (e.g. fineflow resume RUN --set "
        + "engine.maxBatchSize=8) to run it again";
    return new StageOutcome(List.of("[simulated] starting " + s + " on the simulated GPU node", line),
        Duration.ofMillis(100), EXIT_BAD_ARGUMENTS, line);
  }
}
