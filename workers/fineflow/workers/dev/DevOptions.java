package fineflow.workers.dev;

import java.nio.file.Path;
import fineflow.workers.worker.AwaitMode;
import java.time.Duration;

/**
 * Settings of the embedded dev stack.
 *
 * @param speed how many times faster than the seed's real durations simulated GPU stages run
 * @param stageDuration when set, every simulated stage takes exactly this long (benchmarks)
 * @param failStage stage whose first {@code failTimes} pods fail (to show pause and resume)
 */
public record DevOptions(
    int temporalPort, int kubernetesPort, Path workspace, double speed, Duration stageDuration,
    String failStage, int failTimes, String namespace, AwaitMode awaitMode) {

  public static final String DEFAULT_NAMESPACE = "fineflow";

  public DevOptions {
    if (speed <= 0) {
      throw new IllegalArgumentException("--speed must be > 0");
    }
    namespace = namespace == null ? DEFAULT_NAMESPACE : namespace;
    awaitMode = awaitMode == null ? AwaitMode.async : awaitMode;
  }
}
