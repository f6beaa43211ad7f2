package fineflow.workflows.pipeline;

import fineflow.workflows.plan.StageKind;
import java.time.Duration;

/**
 * How often a stage's short activities (cache look-up, launch, cache record, cleanup) are
 * retried on retryable failures, and how often a stage is relaunched after its object failed
 * transiently (eviction, node loss). The spec has no retry section yet, so these are the
 * per-kind defaults.
 *
 * @param activityAttempts attempts of one short activity before the run pauses
 * @param launches launches of one stage per revision before the run pauses
 * @param relaunchDelay wait before a relaunch, doubled each time
 */
public record StageRetryPolicy(
    int activityAttempts,
    Duration activityInitialInterval,
    Duration activityMaximumInterval,
    int launches,
    Duration relaunchDelay) {

  public static StageRetryPolicy forKind(StageKind kind) {
    return switch (kind) {
      // A failed Job wastes GPU time; two more tries cover an eviction or a lost node.
      case JOB -> new StageRetryPolicy(8, Duration.ofSeconds(1), Duration.ofSeconds(30), 3,
          Duration.ofSeconds(30));
      // A rollout that fails transiently is cheap to retry and often succeeds on another node.
      case DEPLOYMENT -> new StageRetryPolicy(8, Duration.ofSeconds(1), Duration.ofSeconds(30), 4,
          Duration.ofSeconds(15));
    };
  }

  /** Delay before launch number {@code next} (2, 3, …). */
  public Duration delayBefore(int next) {
    return relaunchDelay.multipliedBy(1L << Math.max(0, Math.min(next - 2, 10)));
  }
}
