package fineflow.workers.worker;

import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;

/**
 * Worker capacity. Stage activities are short (one Kubernetes read or write), so a few dozen
 * slots carry hundreds of running pipelines; the workflow cache keeps running pipelines in
 * memory so a workflow task does not replay history.
 *
 * @param workflowThreads the most workflow threads the worker starts (its thread bound)
 */
public record WorkerTuning(
    int maxConcurrentActivities, int maxConcurrentWorkflowTasks, int activityPollers,
    int workflowPollers, int workflowCacheSize, int workflowThreads, int awaitCheckThreads, Duration watchTick) {

  /**
   * {@code watchTick}: how often a waiting stage is re-read for its progress line and for what no
   * event announces; each tick costs about three API reads per running stage, and it must stay
   * below the await heartbeat timeout (2 min).
   */
  public static WorkerTuning defaults() {
    return new WorkerTuning(64, 64, 4, 4, 2000, 600, 4, Duration.ofSeconds(15));
  }

  public WorkerTuning withWatchTick(Duration tick) {
    return new WorkerTuning(maxConcurrentActivities, maxConcurrentWorkflowTasks, activityPollers,
        workflowPollers, workflowCacheSize, workflowThreads, awaitCheckThreads, tick);
  }

  /**
   * The worker factory's share. A cached workflow parks one thread while it waits; past
   * {@code workflowThreads} the SDK evicts cached workflows (they replay on their next task)
   * instead of starting threads, so the worker's threads stay bounded whatever the number of
   * running pipelines.
   */
  public WorkerFactoryOptions factoryOptions() {
    return WorkerFactoryOptions.newBuilder()
        .setWorkflowCacheSize(workflowCacheSize)
        .setMaxWorkflowThreadCount(workflowThreads)
        .build();
  }

  /** Slots and pollers of one worker; the orchestration benchmark's floor uses the same. */
  public WorkerOptions workerOptions() {
    return WorkerOptions.newBuilder()
        .setMaxConcurrentActivityExecutionSize(maxConcurrentActivities)
        .setMaxConcurrentLocalActivityExecutionSize(maxConcurrentActivities)
        .setMaxConcurrentWorkflowTaskExecutionSize(maxConcurrentWorkflowTasks)
        .setMaxConcurrentActivityTaskPollers(activityPollers)
        .setMaxConcurrentWorkflowTaskPollers(workflowPollers)
        // Re-planning a resumed spec loads classes on a cold worker: more than the default 1 s.
        .setDefaultDeadlockDetectionTimeout(Duration.ofSeconds(10).toMillis())
        .build();
  }
}
