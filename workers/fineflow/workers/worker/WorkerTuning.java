package fineflow.workers.worker;

import java.time.Duration;

/**
 * Worker capacity. Stage activities are short (one Kubernetes read or write), so a few dozen
 * slots carry hundreds of running pipelines; the workflow cache keeps running pipelines in
 * memory so a workflow task does not replay history.
 */
public record WorkerTuning(
    int maxConcurrentActivities, int maxConcurrentWorkflowTasks, int activityPollers,
    int workflowPollers, int workflowCacheSize, int awaitCheckThreads, Duration watchTick) {

  /**
   * {@code watchTick}: how often a waiting stage is re-read for its progress line and for what no
   * event announces; each tick costs about three API reads per running stage, and it must stay
   * below the await heartbeat timeout (2 min).
   */
  public static WorkerTuning defaults() {
    return new WorkerTuning(64, 64, 4, 4, 2000, 4, Duration.ofSeconds(15));
  }

  public WorkerTuning withWatchTick(Duration tick) {
    return new WorkerTuning(maxConcurrentActivities, maxConcurrentWorkflowTasks, activityPollers,
        workflowPollers, workflowCacheSize, awaitCheckThreads, tick);
  }
}
