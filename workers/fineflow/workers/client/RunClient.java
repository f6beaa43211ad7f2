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
import fineflow.workflows.pipeline.RunSearchAttributes;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
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
    try {
      WorkflowClient.start(workflow::run, request);
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new RunConflict("run " + id + " already exists (" + describeState(id)
          + "); a run id names one run for good: pick another --run-id or leave it out");
    }
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
    requireOpen(runId, "resumed");
    return stub(runId).resume(request);
  }

  public CleanupResult abort(String runId, String reason) {
    requireOpen(runId, "aborted");
    return stub(runId).abort(new AbortRequest(reason));
  }

  public void cancel(String runId) {
    requireOpen(runId, "cancelled");
    client.newUntypedWorkflowStub(runId).cancel("cancelled with fineflow cancel");
  }

  /** Temporal answers an update of a closed run with "not found": say what really happened. */
  private void requireOpen(String runId, String verb) {
    WorkflowExecutionStatus status = status(runId);
    if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      throw new RunConflict("run " + runId + " " + ended(status) + ": only a running or paused run can be " + verb);
    }
  }

  /** The run's state as its search attribute says it ("paused", "running"), or its status. */
  private String describeState(String runId) {
    WorkflowExecutionDescription d = describe(runId);
    if (d.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      return ended(d.getStatus());
    }
    String state = d.getTypedSearchAttributes().get(RunSearchAttributes.STATE);
    return "state " + (state == null ? "running" : state);
  }

  private static String ended(WorkflowExecutionStatus status) {
    return switch (status) {
      case WORKFLOW_EXECUTION_STATUS_COMPLETED -> "has already succeeded";
      case WORKFLOW_EXECUTION_STATUS_FAILED -> "has already failed";
      case WORKFLOW_EXECUTION_STATUS_CANCELED -> "has already been cancelled";
      case WORKFLOW_EXECUTION_STATUS_TERMINATED -> "has already been terminated";
      case WORKFLOW_EXECUTION_STATUS_TIMED_OUT -> "has already timed out";
      case WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW -> "was continued as a new run";
      default -> "is running";
    };
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
