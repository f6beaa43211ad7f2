package fineflow.workers.worker;

import fineflow.workflows.contract.AwaitRequest;
import fineflow.workflows.contract.CacheEntry;
import fineflow.workflows.contract.CacheLookup;
import fineflow.workflows.contract.CacheQuery;
import fineflow.workflows.contract.CleanupRequest;
import fineflow.workflows.contract.CleanupResult;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.contract.LaunchResult;
import fineflow.workflows.contract.StageActivities;
import fineflow.workflows.contract.StageResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Records the stage metrics of DESIGN.md "Reporting" around the real stage activities:
 * stages started/succeeded/failed by stage and reason, stage duration, retries, cache hits,
 * paused stages. Temporal's own SDK metrics (schedule-to-start latency = activity queue time)
 * come from the client's metrics scope.
 */
public final class MeteredStageActivities implements StageActivities {
  private final StageActivities delegate;
  private final MeterRegistry registry;

  public MeteredStageActivities(StageActivities delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  @Override
  public CacheLookup lookupCache(CacheQuery query) {
    CacheLookup lookup = delegate.lookupCache(query);
    registry.counter("fineflow_cache_lookups", "stage", query.stage().id(), "hit", String.valueOf(lookup.hit()))
        .increment();
    return lookup;
  }

  @Override
  public LaunchResult launch(LaunchRequest request) {
    LaunchResult result = delegate.launch(request);
    if (!result.adopted()) {
      registry.counter("fineflow_stages_started", "stage", request.stage().name().id()).increment();
    }
    return result;
  }

  @Override
  public StageResult await(AwaitRequest request) {
    String stage = request.stage().name().id();
    try {
      StageResult result = delegate.await(request);
      registry.counter("fineflow_stages_succeeded", "stage", stage).increment();
      Duration sinceScheduled = sinceFirstAttempt();
      if (sinceScheduled != null) {
        Timer.builder("fineflow_stage_duration").tag("stage", stage).publishPercentileHistogram()
            .register(registry).record(sinceScheduled.toMillis(), TimeUnit.MILLISECONDS);
      }
      return result;
    } catch (ApplicationFailure f) {
      if (FailureType.STILL_RUNNING.type().equals(f.getType())) {
        registry.counter("fineflow_stage_polls", "stage", stage).increment();
      } else {
        registry.counter("fineflow_stages_failed", "stage", stage, "reason", f.getType(),
            "retryable", String.valueOf(!f.isNonRetryable())).increment();
        if (f.isNonRetryable()) {
          registry.counter("fineflow_stages_paused", "stage", stage, "reason", f.getType()).increment();
        } else {
          registry.counter("fineflow_stage_retries", "stage", stage).increment();
        }
      }
      throw f;
    }
  }

  /** The await activity's first attempt was scheduled right after the launch: a stage's run time. */
  private static Duration sinceFirstAttempt() {
    try {
      var info = Activity.getExecutionContext().getInfo();
      return Duration.ofMillis(Math.max(0, System.currentTimeMillis() - info.getScheduledTimestamp()));
    } catch (IllegalStateException notInActivity) {
      return null;
    }
  }

  @Override
  public void recordCache(CacheEntry entry) {
    delegate.recordCache(entry);
  }

  @Override
  public CleanupResult cleanup(CleanupRequest request) {
    CleanupResult result = delegate.cleanup(request);
    Counter.builder("fineflow_cleanup_deleted_objects").register(registry).increment(result.deleted().size());
    return result;
  }
}
