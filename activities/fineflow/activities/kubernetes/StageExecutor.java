package fineflow.activities.kubernetes;

import fineflow.workflows.contract.AwaitRequest;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.contract.LaunchResult;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.StageKind;

/**
 * Runs one {@link StageKind} of stage on Kubernetes: Jobs for batch stages, Deployments for
 * rollout. The stage activities pick the executor by the stage's kind; both follow the
 * contract of {@link fineflow.workflows.contract.StageActivities#launch} and {@code await}.
 */
public interface StageExecutor {
  StageKind kind();

  LaunchResult launch(LaunchRequest request);

  StageResult await(AwaitRequest request);
}
