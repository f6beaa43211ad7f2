package fineflow.activities.kubernetes;

import fineflow.activities.kubernetes.FailureClassifier.Verdict;
import fineflow.workflows.contract.StageFailure;
import fineflow.workflows.contract.StageProgress;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
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
    watch(ctx.getTaskToken(), request);
    ctx.doNotCompleteOnReturn();
    return null;
  }

  /**
   * Hands a running stage to the watcher. Its first use in a namespace starts the informers
   * (list + watch of Jobs and Deployments): a refusal is the await's failure like any API error
   * of the stage, so a missing {@code watch} permission pauses the run with the RBAC hint
   * instead of failing every attempt with a raw client exception (found on a real API server).
   */
  public void watch(byte[] taskToken, AwaitRequest request) {
    try {
      watcher.register(taskToken, request);
    } catch (KubernetesClientException e) {
      Verdict v = new FailureClassifier().apiError(e);
      String message = "stage " + request.stage().name() + ": watching its objects failed: " + v.message();
      if (v.type().retryable()) {
        // The stage is not known to have failed: the workflow awaits again.
        throw ApplicationFailure.newFailureWithCause(message + "; looking again", FailureType.STILL_RUNNING.type(),
            e, new StageProgress("Unknown", null, null));
      }
      throw ApplicationFailure.newNonRetryableFailureWithCause(message, v.type().type(), e,
          new StageFailure(request.stage().name().id(), v.type().type(), v.message(), v.hint(), List.of()));
    }
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
