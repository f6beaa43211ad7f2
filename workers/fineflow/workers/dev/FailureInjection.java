package fineflow.workers.dev;

import fineflow.workflows.plan.StageName;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code --fail-stage S --fail-times N}: the first N pods of stage S fail, and say that the
 * failure was injected. They exit 1, a plain stage failure that pauses the run: the stage
 * programs' codes 2, 3 and 4 (docs/stages.md) would name a cause (bad arguments, GPU memory,
 * invalid output) and send the user to fix a spec value that is not wrong.
 */
final class FailureInjection {
  static final int EXIT_INJECTED = 1;

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
    int n = failed.get();
    String line = "[simulated] failure injected by --fail-stage " + s + " (" + n + " of " + times
        + "), not a fault of the spec or the data: "
        + (n < times ? "the next " + (times - n) + " pod(s) of " + s + " fail too"
            : "resume the run (a --set is optional) and " + s + " runs normally");
    return new StageOutcome(List.of("[simulated] starting " + s + " on the simulated GPU node", line),
        Duration.ofMillis(100), EXIT_INJECTED, line);
  }
}
