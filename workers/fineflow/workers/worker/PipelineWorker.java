package fineflow.workers.worker;

import fineflow.activities.kubernetes.AsyncAwaitStageActivities;
import fineflow.activities.kubernetes.JobExecutor;
import fineflow.activities.kubernetes.KubernetesStageActivities;
import fineflow.activities.kubernetes.StageWatcher;
import fineflow.activities.rollout.RolloutExecutor;
import fineflow.activities.rollout.SmokeTest;
import fineflow.workflows.contract.StageActivities;
import fineflow.workflows.pipeline.PipelineWorkflowImpl;
import fineflow.workflows.plan.StageKind;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import okhttp3.OkHttpClient;

/**
 * The fineflow worker: polls one task queue for pipeline workflow tasks and stage activity
 * tasks, and runs stages on Kubernetes. No thread per running stage: with {@link AwaitMode#async}
 * one informer per namespace completes the await activities; with {@link AwaitMode#poll} an
 * await attempt holds a slot only for one status read.
 */
public final class PipelineWorker implements AutoCloseable {
  private final WorkerFactory factory;
  private final StageWatcher watcher;

  private PipelineWorker(WorkerFactory factory, StageWatcher watcher) {
    this.factory = factory;
    this.watcher = watcher;
  }

  /**
   * @param namespace where stages go when the run names none
   * @param serviceUrl base URL of a model server's Service, for the rollout smoke test
   */
  public static PipelineWorker start(WorkflowClient client, String taskQueue, KubernetesClient kubernetes,
      String namespace, Function<Service, String> serviceUrl, AwaitMode mode, MeterRegistry registry,
      WorkerTuning tuning) {
    RolloutExecutor rollout = new RolloutExecutor(kubernetes, namespace,
        new SmokeTest(new OkHttpClient.Builder().callTimeout(Duration.ofMinutes(2)).build()), serviceUrl,
        Clock.systemUTC());
    KubernetesStageActivities onKubernetes = new KubernetesStageActivities(kubernetes, namespace,
        Map.of(StageKind.JOB, new JobExecutor(kubernetes), StageKind.DEPLOYMENT, rollout));
    StageActivities activities = new MeteredStageActivities(onKubernetes, registry);
    StageWatcher watcher = null;
    if (mode == AwaitMode.async) {
      watcher = new StageWatcher(kubernetes, client.newActivityCompletionClient(), activities::await,
          onKubernetes::runningProgress, tuning.watchTick(), tuning.awaitCheckThreads());
      activities = new AsyncAwaitStageActivities(activities, watcher);
    }
    WorkerFactory factory = WorkerFactory.newInstance(client, tuning.factoryOptions());
    Worker worker = factory.newWorker(taskQueue, tuning.workerOptions());
    worker.registerWorkflowImplementationTypes(PipelineWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities);
    factory.start();
    return new PipelineWorker(factory, watcher);
  }

  public boolean isStarted() {
    return factory.isStarted() && !factory.isShutdown();
  }

  /** Graceful: stops polling, lets running tasks finish (up to 10 s), then returns. */
  @Override
  public void close() {
    factory.shutdown();
    factory.awaitTermination(10, TimeUnit.SECONDS);
    if (watcher != null) {
      watcher.close();
    }
  }
}
