package fineflow.workflows.plan;

/** How a stage runs on Kubernetes. */
public enum StageKind {
  /** A batch/v1 Job that runs to completion. */
  JOB,
  /** A Deployment + Service that stays up (rollout of a model server). */
  DEPLOYMENT
}
