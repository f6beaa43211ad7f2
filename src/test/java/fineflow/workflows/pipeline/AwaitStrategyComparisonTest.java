package fineflow.workflows.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workflows.contract.AwaitRequest;
import fineflow.workflows.contract.CacheEntry;
import fineflow.workflows.contract.CacheLookup;
import fineflow.workflows.contract.CacheQuery;
import fineflow.workflows.contract.CleanupRequest;
import fineflow.workflows.contract.CleanupResult;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.contract.LaunchResult;
import fineflow.workflows.contract.PromoteRequest;
import fineflow.workflows.contract.PromoteResult;
import fineflow.workflows.contract.StageActivities;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageName;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

/**
 * The measurement behind the await design: one four-hour stage awaited (a) by an activity
 * that fails StillRunning and is retried (what the pipeline uses) and (b) by an activity
 * completed asynchronously by an outside watcher. Both cost the same history events; (a)
 * polls, (b) needs a watcher in the worker that keeps task tokens and heartbeats for them.
 */
class AwaitStrategyComparisonTest {
  private static final Duration RUNTIME = Duration.ofHours(4);

  @WorkflowInterface
  public interface OneStage {
    @WorkflowMethod
    StageResult run(Stage stage, boolean asyncCompletion);
  }

  public static class OneStageImpl implements OneStage {
    @Override
    public StageResult run(Stage stage, boolean asyncCompletion) {
      ActivityOptions options = asyncCompletion
          ? ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofHours(12)).build()
          : StageActivityOptions.remote(stage).get(StageActivityOptions.AWAIT);
      return Workflow.newActivityStub(StageActivities.class, options)
          .await(new AwaitRequest("r", "ml", stage, "r-train-1", null));
    }
  }

  /** Hands its task token to the test, which completes it when the stage "ends". */
  static final class CompletedLater implements StageActivities {
    final LinkedBlockingQueue<byte[]> tokens = new LinkedBlockingQueue<>();

    @Override
    public StageResult await(AwaitRequest request) {
      tokens.add(Activity.getExecutionContext().getTaskToken());
      Activity.getExecutionContext().doNotCompleteOnReturn();
      return null;
    }

    @Override
    public CacheLookup lookupCache(CacheQuery query) {
      throw new UnsupportedOperationException();
    }

    @Override
    public LaunchResult launch(LaunchRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void recordCache(CacheEntry entry) {
      throw new UnsupportedOperationException();
    }

    @Override
    public PromoteResult promote(PromoteRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CleanupResult cleanup(CleanupRequest request) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void retryAndAsyncCompletionCostTheSameHistoryForAFourHourStage() throws Exception {
    Stage train = TestPlans.plan(TestPlans.spec("dazai"), "v1", Map.of(StageName.TRAIN, 7200L))
        .stage(StageName.TRAIN).orElseThrow();
    FakeCluster cluster = new FakeCluster();
    cluster.runtimes.put(StageName.TRAIN, RUNTIME);
    CompletedLater watcher = new CompletedLater();
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker polling = env.newWorker("polling");
      polling.registerWorkflowImplementationTypes(OneStageImpl.class);
      polling.registerActivitiesImplementations(cluster);
      Worker async = env.newWorker("async");
      async.registerWorkflowImplementationTypes(OneStageImpl.class);
      async.registerActivitiesImplementations(watcher);
      env.start();
      WorkflowClient client = env.getWorkflowClient();

      client.newWorkflowStub(OneStage.class, options("polling")).run(train, false);
      WorkflowStub waiting = WorkflowStub.fromTyped(
          client.newWorkflowStub(OneStage.class, options("async")));
      waiting.start(train, true);
      byte[] token = watcher.tokens.take();
      // The test server does not skip time while an activity is open, so the watcher reports
      // progress by heartbeats (which record no events) and completes it at once: its
      // history does not depend on how long the stage ran.
      for (int minute = 0; minute < 3; minute++) {
        client.newActivityCompletionClient().heartbeat(token, "step " + minute);
      }
      client.newActivityCompletionClient().complete(token, new StageResult(StageName.TRAIN,
          train.cacheKey(), "r-train-1", "r-train-1-pod", List.of(), Map.of(), Map.of(), false));
      waiting.getResult(StageResult.class);

      int retried = client.fetchHistory("polling").getEvents().size();
      int completed = client.fetchHistory("async").getEvents().size();
      System.out.println("one 4 h stage: await by retry " + retried + " events, "
          + cluster.awaitAttempts(StageName.TRAIN) + " polls ("
          + StageActivityOptions.awaitInterval(train).toSeconds() + " s apart); async completion "
          + completed + " events, 0 polls");
      assertThat(retried).isEqualTo(completed);
      assertThat(cluster.awaitAttempts(StageName.TRAIN)).isGreaterThan(200);
    }
  }

  private static WorkflowOptions options(String queue) {
    return WorkflowOptions.newBuilder().setWorkflowId(queue).setTaskQueue(queue).build();
  }
}
