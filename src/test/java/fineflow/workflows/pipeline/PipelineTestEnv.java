package fineflow.workflows.pipeline;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;

/** A time-skipping Temporal test server with the pipeline worker and a {@link FakeCluster}. */
final class PipelineTestEnv implements AutoCloseable {
  final FakeCluster cluster = new FakeCluster();
  final TestWorkflowEnvironment env;
  final WorkflowClient client;

  PipelineTestEnv() {
    TestEnvironmentOptions.Builder options = TestEnvironmentOptions.newBuilder();
    RunSearchAttributes.ALL.forEach(options::registerSearchAttribute);
    env = TestWorkflowEnvironment.newInstance(options.build());
    // A busy 2-core test machine can stall a workflow thread (class loading) past the default
    // 1 s deadlock detector; 10 s still catches a real deadlock.
    Worker worker = env.newWorker(TaskQueue.DEFAULT, WorkerOptions.newBuilder()
        .setDefaultDeadlockDetectionTimeout(10_000).build());
    worker.registerWorkflowImplementationTypes(PipelineWorkflowImpl.class);
    worker.registerActivitiesImplementations(cluster);
    client = env.getWorkflowClient();
    env.start();
  }

  /** Starts a run the way the starter does (RunOptions) and returns its typed stub. */
  PipelineWorkflow start(PipelineRequest request) {
    PipelineWorkflow run = client.newWorkflowStub(PipelineWorkflow.class,
        RunOptions.of(request, TaskQueue.DEFAULT));
    WorkflowExecution started = WorkflowClient.start(run::run, request);
    return client.newWorkflowStub(PipelineWorkflow.class, started.getWorkflowId());
  }

  WorkflowStub untyped(String runId) {
    return client.newUntypedWorkflowStub(runId);
  }

  RunOutcome result(String runId) {
    return untyped(runId).getResult(RunOutcome.class);
  }

  WorkflowExecutionDescription describe(String runId) {
    return untyped(runId).describe();
  }

  WorkflowExecutionHistory history(String runId) {
    return client.fetchHistory(runId);
  }

  int historyLength(String runId) {
    return history(runId).getEvents().size();
  }

  /** Events other than workflow task ones: what a run's commands and messages recorded. */
  long historyWithoutWorkflowTasks(String runId) {
    return history(runId).getEvents().stream()
        .filter(e -> !e.getEventType().name().startsWith("EVENT_TYPE_WORKFLOW_TASK_"))
        .count();
  }

  /** Lets workflow time pass (the test server skips it). */
  void sleep(Duration time) {
    env.sleep(time);
  }

  @Override
  public void close() {
    env.close();
  }
}
