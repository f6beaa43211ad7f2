package fineflow.workflows.contract;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * What the pipeline workflow asks of the outside world, one stage at a time. Implemented on
 * Kubernetes by {@code fineflow.activities.kubernetes}; every method is idempotent, because
 * Temporal may run any of them again after a worker crash.
 */
@ActivityInterface
public interface StageActivities {

  /** The recorded result for a cache key, if a stage with that key already succeeded. */
  @ActivityMethod
  CacheLookup lookupCache(CacheQuery query);

  /**
   * Creates the stage's Job (or Deployment for rollout), or adopts the existing one of the
   * same name. Fails non-retryably with {@link FailureType#BAD_ARGUMENTS} for a stage that
   * cannot be built into an object.
   */
  @ActivityMethod
  LaunchResult launch(LaunchRequest request);

  /**
   * Returns the result when the stage succeeded; fails with the retryable
   * {@link FailureType#STILL_RUNNING} (details: {@link StageProgress}) while it runs, so that
   * the retry policy does the waiting; fails with a classified {@link FailureType} (details:
   * {@link StageFailure}) when it failed.
   */
  @ActivityMethod
  StageResult await(AwaitRequest request);

  /** Records a succeeded stage's result under its cache key (overwrites are harmless). */
  @ActivityMethod
  void recordCache(CacheEntry entry);

  /**
   * Points the stable Service at the candidate revision (the gated rollout left it candidate
   * until the benchmark passed the SLOs). Idempotent; fails non-retryably with
   * {@link FailureType#STAGE_FAILED} when the revision's Deployment is gone.
   */
  @ActivityMethod
  PromoteResult promote(PromoteRequest request);

  /** Deletes everything the run created on the cluster (used by cancel and abort). */
  @ActivityMethod
  CleanupResult cleanup(CleanupRequest request);
}
