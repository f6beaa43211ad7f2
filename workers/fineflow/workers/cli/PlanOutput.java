package fineflow.workers.cli;

/**
 * Renderings of {@code fineflow plan}. Kubernetes objects ({@code k8s}) come from the Job
 * factory of the activities layer: add the constant and its case in {@link PlanCommand#render}.
 */
public enum PlanOutput {
  /** A table like terraform plan's: one row per stage, then the totals. */
  TEXT,
  /** The Plan record as JSON (the same the workflow runs). */
  JSON
}
