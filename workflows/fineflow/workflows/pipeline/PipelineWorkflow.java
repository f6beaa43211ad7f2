package fineflow.workflows.pipeline;

import fineflow.workflows.contract.CleanupResult;
import fineflow.workflows.plan.PlanDiff;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One fine-tune-and-deploy run: executes the plan stage by stage, pauses on a non-retryable
 * stage failure and waits for {@link #resume} or {@link #abort}. The workflow id is the run id.
 */
@WorkflowInterface
public interface PipelineWorkflow {

  /**
   * Completes when every stage succeeded or was cached; fails with type {@code Aborted} when
   * aborted; is cancelled (after deleting the run's objects) when the run is cancelled.
   */
  @WorkflowMethod
  RunOutcome run(PipelineRequest request);

  /**
   * The stage table. The line a running stage printed last is not in it (the workflow never
   * sees it): {@link ProgressView#merge} adds it from the run's pending await activity.
   */
  @QueryMethod
  RunProgress progress();

  /**
   * Applies a patch to the spec of a paused run, re-plans, and lets the run continue; stages
   * whose cache keys did not change keep their results. Returns which stages run again.
   */
  @UpdateMethod
  PlanDiff resume(ResumeRequest request);

  /** Rejects a resume of a run that is not paused, or a patch that makes the spec invalid. */
  @UpdateValidatorMethod(updateName = "resume")
  void validateResume(ResumeRequest request);

  /** Ends a paused run as failed, after deleting its objects; returns what was deleted. */
  @UpdateMethod
  CleanupResult abort(AbortRequest request);

  @UpdateValidatorMethod(updateName = "abort")
  void validateAbort(AbortRequest request);
}
