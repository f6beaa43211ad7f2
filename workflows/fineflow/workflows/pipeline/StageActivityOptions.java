package fineflow.workflows.pipeline;

import fineflow.workflows.contract.FailureType;
import fineflow.workflows.plan.Stage;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every option of every stage activity, in one place, keyed by activity type.
 *
 * <p>The cache look-up, the launch and the cache record are single Kubernetes API calls: they
 * run as local activities, which cost one marker event each and no workflow task of their own.
 * The await runs as a normal activity whose retry policy does the waiting (see
 * {@link #awaitInterval}), so a stage costs the same few events whether it runs a minute or a
 * day. Cleanup is a normal activity too: it may delete many objects and should be visible.
 */
final class StageActivityOptions {
  static final String LOOKUP_CACHE = "LookupCache";
  static final String LAUNCH = "Launch";
  static final String AWAIT = "Await";
  static final String RECORD_CACHE = "RecordCache";
  static final String CLEANUP = "Cleanup";
  static final String PROMOTE = "Promote";

  static final Duration MIN_AWAIT_INTERVAL = Duration.ofSeconds(5);
  static final Duration MAX_AWAIT_INTERVAL = Duration.ofSeconds(60);
  /** Longer than the asynchronous await's heartbeat tick (see StageWatcher). */
  static final Duration AWAIT_HEARTBEAT_TIMEOUT = Duration.ofMinutes(2);
  /** For a stage the planner gave no timeout. */
  static final Duration DEFAULT_STAGE_TIMEOUT = Duration.ofHours(24);
  /** Time for the Job controller's DeadlineExceeded to reach the await after the deadline. */
  static final Duration AWAIT_GRACE = Duration.ofMinutes(2);

  /** Bases the per-method options below are merged onto; every method has its own entry. */
  static final LocalActivityOptions LOCAL_DEFAULT = LocalActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofSeconds(30)).build();
  static final ActivityOptions REMOTE_DEFAULT = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofMinutes(2)).build();

  private StageActivityOptions() {
  }

  static Map<String, LocalActivityOptions> local(Stage stage) {
    StageRetryPolicy policy = StageRetryPolicy.forKind(stage.kind());
    return Map.of(
        LOOKUP_CACHE, localCall(policy, Duration.ofSeconds(30), "cache look-up " + stage.name()
            + " " + stage.shortKey()),
        LAUNCH, localCall(policy, Duration.ofMinutes(1), "launch " + stage.name()),
        RECORD_CACHE, localCall(policy, Duration.ofSeconds(30), "cache record " + stage.name()
            + " " + stage.shortKey()));
  }

  static Map<String, ActivityOptions> remote(Stage stage) {
    return remote(stage, null);
  }

  /**
   * The await of one launch, its summary led by the launch's label ("engine-build launch 2,
   * revision 2"), so each attempt reads apart in the Temporal UI.
   */
  static Map<String, ActivityOptions> remote(Stage stage, String launchLabel) {
    Duration interval = awaitInterval(stage);
    return Map.of(AWAIT, ActivityOptions.newBuilder()
        .setSummary(launchLabel == null ? stage.summary() : launchLabel + ": " + stage.summary())
        // A polling attempt is one status read; an asynchronously completed attempt lasts
        // until the stage ends and heartbeats meanwhile, so a dead worker is noticed within
        // the heartbeat timeout and the await is retried elsewhere.
        .setStartToCloseTimeout(awaitTimeout(stage))
        .setHeartbeatTimeout(AWAIT_HEARTBEAT_TIMEOUT)
        .setScheduleToCloseTimeout(awaitTimeout(stage))
        .setRetryOptions(RetryOptions.newBuilder()
            .setInitialInterval(interval)
            .setBackoffCoefficient(1.0)
            .setMaximumInterval(interval)
            .setMaximumAttempts(0)
            // Transient means the stage's object died (eviction, node loss): polling it again
            // cannot help, the workflow relaunches the stage instead.
            .setDoNotRetry(Stream.concat(Arrays.stream(FailureType.nonRetryableTypes()),
                Stream.of(FailureType.TRANSIENT.type())).toArray(String[]::new))
            .build())
        .build());
  }

  /** The launch call of one launch, summarized by the launch's label. */
  static Map<String, LocalActivityOptions> launch(Stage stage, String launchLabel) {
    return Map.of(LAUNCH, localCall(StageRetryPolicy.forKind(stage.kind()), Duration.ofMinutes(1),
        "launch " + launchLabel));
  }

  static ActivityOptions cleanup() {
    return ActivityOptions.newBuilder()
        .setSummary("delete the run's Jobs, Deployments and Services")
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setScheduleToCloseTimeout(Duration.ofMinutes(30))
        .setRetryOptions(RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(1))
            .setMaximumInterval(Duration.ofMinutes(1))
            .setDoNotRetry(FailureType.nonRetryableTypes())
            .build())
        .build();
  }

  /** A few Kubernetes API calls; a normal activity so the promotion shows in the history. */
  static ActivityOptions promote(String revision) {
    return ActivityOptions.newBuilder()
        .setSummary("promote revision " + revision + " to the stable Service")
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setScheduleToCloseTimeout(Duration.ofMinutes(30))
        .setRetryOptions(RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(1))
            .setMaximumInterval(Duration.ofMinutes(1))
            .setDoNotRetry(FailureType.nonRetryableTypes())
            .build())
        .build();
  }

  /**
   * How often the await activity checks a running stage: a twentieth of its expected
   * duration, clamped to [5 s, 60 s], so a short stage is noticed soon after it ends and a
   * long one costs at most one Kubernetes read a minute.
   */
  static Duration awaitInterval(Stage stage) {
    Duration twentieth = Duration.ofSeconds(Math.max(0, stage.expectedSeconds()) / 20);
    if (twentieth.compareTo(MIN_AWAIT_INTERVAL) < 0) {
      return MIN_AWAIT_INTERVAL;
    }
    return twentieth.compareTo(MAX_AWAIT_INTERVAL) > 0 ? MAX_AWAIT_INTERVAL : twentieth;
  }

  /**
   * The await's own limit: the stage's timeout and a grace. The cluster enforces the stage's
   * timeout (a Job's activeDeadlineSeconds counts from the Job's start, after the launch; the
   * rollout executor times a server's readiness) and says why it stopped the stage, with the
   * log tail; the await must not run out first and pause with a bare Temporal timeout. It only
   * ends an await whose cluster never gave a verdict.
   */
  static Duration awaitTimeout(Stage stage) {
    return stageTimeout(stage).plus(AWAIT_GRACE);
  }

  static Duration stageTimeout(Stage stage) {
    return stage.timeoutSeconds() > 0 ? Duration.ofSeconds(stage.timeoutSeconds())
        : DEFAULT_STAGE_TIMEOUT;
  }

  private static LocalActivityOptions localCall(StageRetryPolicy policy, Duration timeout,
      String summary) {
    return LocalActivityOptions.newBuilder()
        .setSummary(summary)
        .setStartToCloseTimeout(timeout)
        .setRetryOptions(RetryOptions.newBuilder()
            .setInitialInterval(policy.activityInitialInterval())
            .setMaximumInterval(policy.activityMaximumInterval())
            .setMaximumAttempts(policy.activityAttempts())
            .setDoNotRetry(FailureType.nonRetryableTypes())
            .build())
        .build();
  }
}
