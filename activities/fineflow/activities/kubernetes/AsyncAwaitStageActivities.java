package fineflow.activities.kubernetes;

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
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;

/**
 * The stage activities with the await completed asynchronously by a {@link StageWatcher}:
 * the first status read happens in the activity (a finished stage returns at once); a stage
 * still running is handed to the watcher and the activity returns without completing.
 */
public final class AsyncAwaitStageActivities implements StageActivities {
  private final StageActivities delegate;
  private final StageWatcher watcher;

  public AsyncAwaitStageActivities(StageActivities delegate, StageWatcher watcher) {
    this.delegate = delegate;
    this.watcher = watcher;
  }

  @Override
  public StageResult await(AwaitRequest request) {
    try {
      return delegate.await(request);
    } catch (ApplicationFailure f) {
      if (!FailureType.STILL_RUNNING.type().equals(f.getType())) {
        throw f;
      }
    }
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    watcher.register(ctx.getTaskToken(), request);
    ctx.doNotCompleteOnReturn();
    return null;
  }

  @Override
  public CacheLookup lookupCache(CacheQuery query) {
    return delegate.lookupCache(query);
  }

  @Override
  public LaunchResult launch(LaunchRequest request) {
    return delegate.launch(request);
  }

  @Override
  public void recordCache(CacheEntry entry) {
    delegate.recordCache(entry);
  }

  @Override
  public PromoteResult promote(PromoteRequest request) {
    return delegate.promote(request);
  }

  @Override
  public CleanupResult cleanup(CleanupRequest request) {
    return delegate.cleanup(request);
  }
}
