package fineflow.workers.worker;

/**
 * Worker capacity. Stage activities are short (one Kubernetes read or write), so a few dozen
 * slots carry hundreds of running pipelines; the workflow cache keeps running pipelines in
 * memory so a workflow task does not replay history.
 */
public record WorkerTuning(
    int maxConcurrentActivities, int maxConcurrentWorkflowTasks, int activityPollers,
    int workflowPollers, int workflowCacheSize, int awaitCheckThreads) {

  public static WorkerTuning defaults() {
    return new WorkerTuning(64, 64, 4, 4, 2000, 4);
  }
}
