package fineflow.workers.client;

import fineflow.workflows.contract.CleanupResult;
import fineflow.workflows.pipeline.AbortRequest;
import fineflow.workflows.pipeline.PipelineRequest;
import fineflow.workflows.pipeline.PipelineWorkflow;
import fineflow.workflows.pipeline.ProgressView;
import fineflow.workflows.pipeline.ResumeRequest;
import fineflow.workflows.pipeline.RunId;
import fineflow.workflows.pipeline.RunOptions;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.pipeline.TaskQueue;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.PlanDiff;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.spec.PipelineSpec;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowStub;
import java.time.Instant;
import java.util.List;

/**
 * Everything the operator CLI does with runs, over one Temporal connection: submit, progress,
 * resume, abort, cancel, describe, history. The same calls work against the embedded dev stack
 * and a real cluster.
 */
public final class RunClient {
  private final WorkflowClient client;
  private final String taskQueue;

  public RunClient(TemporalConnection connection) {
    this(connection.client(), TaskQueue.DEFAULT);
  }

  public RunClient(WorkflowClient client, String taskQueue) {
    this.client = client;
    this.taskQueue = taskQueue;
  }

  /** Starts a run of a validated spec; {@code runId} null picks {@code <pipeline>-<hash>}. */
  public PipelineRequest submit(PipelineSpec spec, String runId, String namespace) {
    Plan plan = Planner.plan(spec);
    String id = runId != null ? RunId.requireValid(runId)
        : RunId.of(spec.metadata().name(), plan.specDigest(), Instant.now().toString());
    String ns = spec.cluster().namespace() != null ? spec.cluster().namespace() : namespace;
    PipelineRequest request = new PipelineRequest(id, ns, spec, plan);
    PipelineWorkflow workflow = client.newWorkflowStub(PipelineWorkflow.class, RunOptions.of(request, taskQueue));
    WorkflowClient.start(workflow::run, request);
    return request;
  }

  /** The stage table, with the running stage's last progress line merged in. */
  public RunProgress progress(String runId) {
    RunProgress table = stub(runId).progress();
    var pending = describe(runId).getRawDescription().getPendingActivitiesList();
    return ProgressView.latest(pending, client.getOptions().getDataConverter())
        .map(latest -> ProgressView.merge(table, latest))
        .orElse(table);
  }

  /** Applies a patch through the workflow's validated update; returns which stages re-run. */
  public PlanDiff resume(String runId, ResumeRequest request) {
    return stub(runId).resume(request);
  }

  public CleanupResult abort(String runId, String reason) {
    return stub(runId).abort(new AbortRequest(reason));
  }

  public void cancel(String runId) {
    client.newUntypedWorkflowStub(runId).cancel("cancelled with fineflow cancel");
  }

  public WorkflowExecutionDescription describe(String runId) {
    return client.newUntypedWorkflowStub(runId).describe();
  }

  public WorkflowExecutionStatus status(String runId) {
    return describe(runId).getStatus();
  }

  public List<HistoryEvent> history(String runId) {
    return client.fetchHistory(runId).getEvents();
  }

  public WorkflowStub untyped(String runId) {
    return client.newUntypedWorkflowStub(runId);
  }

  public WorkflowClient workflowClient() {
    return client;
  }

  private PipelineWorkflow stub(String runId) {
    return client.newWorkflowStub(PipelineWorkflow.class, runId);
  }
}
