package fineflow.workflows.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fineflow.workflows.contract.CleanupRequest;
import fineflow.workflows.contract.CleanupResult;
import fineflow.workflows.contract.StageActivities;
import fineflow.workflows.plan.PlanDiff;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import io.temporal.workflow.Workflow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The stored history of a paused-then-resumed run must replay against the current code. */
class PipelineReplayTest {

  @Test
  void theStoredPausedAndResumedRunReplays() throws Exception {
    replay(PipelineWorkflowImpl.class, 10_000);
  }

  /** Recorded from the real Temporal server by RealServerFlowTest (-Dfineflow.exportHistories=true). */
  @Test
  void theRunRecordedOnTheRealServerReplays() throws Exception {
    WorkflowExecutionHistory history = WorkflowExecutionHistory.fromJson(resource(REAL_SERVER_RUN));
    assertThat(history.getEvents()).anySatisfy(e ->
        assertThat(e.getEventType().name()).isEqualTo("EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED"));
    assertThat(history.getLastEvent().getEventType().name())
        .isEqualTo("EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED");
    replay(PipelineWorkflowImpl.class, 10_000, history);
  }

  /**
   * A run recorded by the code before model-fetch and dataset-prep ran on every pass (commit
   * a8f08c5, the FakeCluster's results without a dataset sha): a run in flight at the upgrade.
   * It replays along the content-keys change's default version: cache look-ups that may hit,
   * no dataset digest required.
   */
  @Test
  void aRunRecordedBeforeContentKeysReplays() throws Exception {
    WorkflowExecutionHistory history = WorkflowExecutionHistory.fromJson(resource(BEFORE_CONTENT_KEYS));
    assertThat(history.getEvents()).noneSatisfy(e -> assertThat(e.toString()).contains("content-keys"));
    replay(PipelineWorkflowImpl.class, 10_000, history);
  }

  /**
   * A demo run recorded by the code before the baseline was up for one benchmark pass (commit
   * 3a67c2c): its benchmark failed with the baseline kept up, the resume re-ran the benchmark
   * alone, and the baseline was released after it. It replays along baseline-per-benchmark's
   * default version: no release at the failure, no second baseline launch.
   */
  @Test
  void aRunRecordedBeforeBaselinePerBenchmarkReplays() throws Exception {
    WorkflowExecutionHistory history = WorkflowExecutionHistory.fromJson(resource(BEFORE_BASELINE_PER_BENCHMARK));
    assertThat(history.getEvents()).anySatisfy(e ->
        assertThat(e.getEventType().name()).isEqualTo("EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED"));
    assertThat(history.getEvents()).filteredOn(e -> e.hasActivityTaskScheduledEventAttributes()
        && e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals("Cleanup")).hasSize(1);
    replay(PipelineWorkflowImpl.class, 10_000, history);
  }

  @Test
  void theStoredHistoryHoldsAPauseAndAResume() throws IOException {
    String json = resource();
    WorkflowExecutionHistory history = WorkflowExecutionHistory.fromJson(json);

    assertThat(history.getEvents()).anySatisfy(e ->
        assertThat(e.getEventType().name()).isEqualTo("EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED"));
    assertThat(history.getLastEvent().getEventType().name())
        .isEqualTo("EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED");
    assertThat(history.getEvents().size()).isLessThan(150);
  }

  /** Shows the replay test can fail: code that emits other commands does not replay. */
  @Test
  void codeThatChangedIncompatiblyFailsTheReplay() {
    // The failed replay holds its workflow thread until the deadlock detector fires: keep it short.
    assertThatThrownBy(() -> replay(CleansUpFirst.class, 3_000))
        .hasStackTraceContaining("NonDeterministic");
  }

  /**
   * Replays with a longer deadlock detector than the default second: the first replay in a
   * JVM loads Jackson and the spec classes, which on a busy 2-core machine takes longer.
   */
  private static void replay(Class<?> workflow, long deadlockMillis) throws Exception {
    replay(workflow, deadlockMillis, WorkflowExecutionHistory.fromJson(resource()));
  }

  private static void replay(Class<?> workflow, long deadlockMillis,
      WorkflowExecutionHistory history) throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker("replay", WorkerOptions.newBuilder()
          .setDefaultDeadlockDetectionTimeout(deadlockMillis).build());
      worker.registerWorkflowImplementationTypes(workflow);
      WorkflowReplayer.replayWorkflowExecution(history, worker);
    }
  }

  static final String REAL_SERVER_RUN = "histories/real-paused-resumed-run.json";
  static final String BEFORE_CONTENT_KEYS = "histories/before-content-keys-run.json";
  static final String BEFORE_BASELINE_PER_BENCHMARK = "histories/before-baseline-per-benchmark-run.json";

  private static String resource() throws IOException {
    return resource(PausedResumedRun.RESOURCE);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = PipelineReplayTest.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the test resources");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A changed workflow: deletes the run's objects before anything else. */
  public static class CleansUpFirst implements PipelineWorkflow {
    @Override
    public RunOutcome run(PipelineRequest request) {
      Workflow.newActivityStub(StageActivities.class, ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(1)).build())
          .cleanup(new CleanupRequest(request.runId(), request.namespace(), false));
      return new RunOutcome(request.runId(), request.plan().pipeline(),
          request.plan().specDigest(), 1, java.util.List.of());
    }

    @Override
    public RunProgress progress() {
      throw new UnsupportedOperationException();
    }

    @Override
    public PlanDiff resume(ResumeRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void validateResume(ResumeRequest request) {
    }

    @Override
    public CleanupResult abort(AbortRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void validateAbort(AbortRequest request) {
    }
  }
}
