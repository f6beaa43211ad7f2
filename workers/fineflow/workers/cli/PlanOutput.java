package fineflow.workers.cli;

/** Renderings of {@code fineflow plan}. */
public enum PlanOutput {
  /** A table like terraform plan's: one row per stage, then the totals. */
  TEXT,
  /** The Plan record as JSON (the same the workflow runs). */
  JSON,
  /**
   * The Kubernetes objects each stage's first launch creates, as multi-document YAML (like
   * {@code kubectl create --dry-run=client -o yaml}), from the factories the worker uses.
   */
  K8S
}
