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
import fineflow.workflows.contract.PromoteRequest;
import fineflow.workflows.contract.PromoteResult;
import fineflow.workflows.contract.StageActivities;
import fineflow.workflows.contract.StageResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.temporal.failure.ApplicationFailure;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Records the stage metrics of docs/architecture.md "Worker metrics" around the real stage
 * activities: stages started/succeeded/failed by stage and reason, stage duration, retries,
 * cache hits, paused stages. Temporal's own SDK metrics (schedule-to-start latency = activity queue time)
 * come from the client's metrics scope.
 */
public final class MeteredStageActivities implements StageActivities {
  private final StageActivities delegate;
  private final MeterRegistry registry;
  /** Launch time per object, for the stage duration; a worker restart forgets the running ones. */
  private final Map<String, Long> launchedAt = new ConcurrentHashMap<>();

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
    launchedAt.putIfAbsent(result.objectName(), System.nanoTime());
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
      Long launched = launchedAt.remove(request.objectName());
      if (launched != null) {
        Timer.builder("fineflow_stage_duration").tag("stage", stage).publishPercentileHistogram()
            .register(registry).record(System.nanoTime() - launched, TimeUnit.NANOSECONDS);
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
        launchedAt.remove(request.objectName());
      }
      throw f;
    }
  }

  @Override
  public void recordCache(CacheEntry entry) {
    delegate.recordCache(entry);
  }

  @Override
  public PromoteResult promote(PromoteRequest request) {
    PromoteResult result = delegate.promote(request);
    registry.counter("fineflow_promotions", "service", result.stableService()).increment();
    return result;
  }

  @Override
  public CleanupResult cleanup(CleanupRequest request) {
    CleanupResult result = delegate.cleanup(request);
    Counter.builder("fineflow_cleanup_deleted_objects").register(registry).increment(result.deleted().size());
    return result;
  }
}
