package fineflow.workflows.pipeline;

import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowOptions;
import java.util.Map;

/**
 * How a starter starts a run. The workflow id is the run id, and an id names one run for good:
 * a second start with a live or finished run's id fails with
 * {@code WorkflowExecutionAlreadyStarted} (reuse policy REJECT_DUPLICATE, conflict policy FAIL),
 * so {@code fineflow show RUN} and the audit trail never mix two runs.
 */
public final class RunOptions {
  private RunOptions() {
  }

  public static WorkflowOptions of(PipelineRequest request, String taskQueue) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(request.runId())
        .setTaskQueue(taskQueue)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
        .setStaticSummary(RunSummary.of(request))
        .setStaticDetails(RunSummary.details(request))
        .setTypedSearchAttributes(RunSearchAttributes.initial(request.spec()))
        .setMemo(Map.of(PipelineWorkflowImpl.MEMO_SPEC_DIGEST, request.plan().specDigest(),
            PipelineWorkflowImpl.MEMO_SPEC_REVISION, 1))
        .build();
  }
}
