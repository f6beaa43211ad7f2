package fineflow.workers.worker;

import fineflow.workflows.contract.StageActivities;
import fineflow.workflows.pipeline.PipelineWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;

/**
 * The fineflow worker: polls one task queue for pipeline workflow tasks and stage activity
 * tasks. No thread per running stage: an await activity holds a slot only for the few
 * milliseconds of one status read, then fails "still running" and is retried by the server.
 */
public final class PipelineWorker implements AutoCloseable {
  private final WorkerFactory factory;

  private PipelineWorker(WorkerFactory factory) {
    this.factory = factory;
  }

  /** Registers the workflow and the given stage activities on {@code taskQueue} and starts polling. */
  public static PipelineWorker start(WorkflowClient client, String taskQueue, StageActivities activities,
      WorkerTuning tuning) {
    WorkerFactory factory = WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder()
        .setWorkflowCacheSize(tuning.workflowCacheSize())
        .build());
    Worker worker = factory.newWorker(taskQueue, WorkerOptions.newBuilder()
        .setMaxConcurrentActivityExecutionSize(tuning.maxConcurrentActivities())
        .setMaxConcurrentWorkflowTaskExecutionSize(tuning.maxConcurrentWorkflowTasks())
        .setMaxConcurrentActivityTaskPollers(tuning.activityPollers())
        .setMaxConcurrentWorkflowTaskPollers(tuning.workflowPollers())
        .build());
    worker.registerWorkflowImplementationTypes(PipelineWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities);
    factory.start();
    return new PipelineWorker(factory);
  }

  public boolean isStarted() {
    return factory.isStarted() && !factory.isShutdown();
  }

  /** Graceful: stops polling, lets running tasks finish (up to the timeout), then returns. */
  @Override
  public void close() {
    factory.shutdown();
    factory.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
  }
}
