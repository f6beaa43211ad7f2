package fineflow.workflows.pipeline;

/** The Temporal task queue the pipeline workflow and its stage activities are polled on. */
public final class TaskQueue {
  public static final String DEFAULT = "fineflow";

  private TaskQueue() {
  }
}
