package fineflow.workers.bench;

/**
 * What {@code bench-orchestrator --output json} prints for one await design; the field names
 * are the JSON's. docs/performance.md says how each is measured.
 *
 * @param engines what the stack ran on, e.g. "real Temporal, real Kubernetes"
 * @param floorTemporalMs activity-to-activity gap of bare 8-activity workflows, as many at once
 *     as pipelines were in flight, on the same server and a worker with the same slots
 * @param floorKubernetesMs pod Succeeded → next Job POST of bare Job chains (a Fabric8 client
 *     and a pod informer, nothing of fineflow's), as many at once, on the same cluster and node
 * @param workerThreadsPeak JVM thread peak during the runs minus the threads alive once the
 *     stack had started and before the first submit: what load adds (worker slots, workflow
 *     threads, watcher and simulated node pools), not the fixed cost of the embedded servers
 * @param heapPeakMiB peak heap used at once since the first submit (all heap pools summed,
 *     sampled every 100 ms)
 * @param kubeApiRequestsPerStage Kubernetes API requests during the runs (the worker's, and on
 *     the embedded stack the simulated node's too) divided by the stages launched (Job and
 *     Deployment creates), of every run
 * @param floorKubeApiRequestsPerStage the same for the Kubernetes floor's Jobs
 */
public record BenchResult(
    String engines, int pipelines, int completed, double wallSeconds, Percentiles stageTransitionMs,
    Floor floorTemporalMs, Floor floorKubernetesMs,
    Spread historyEventsPerRun, int workerThreadsPeak, double heapPeakMiB,
    double kubeApiRequestsPerStage, double floorKubeApiRequestsPerStage, double pipelinesPerMinute) {

  /** p50, p99 and max of a sample; all 0 for an empty one. */
  public record Percentiles(double p50, double p99, double max) {
  }

  /** p50 and p99 of a floor's gaps. */
  public record Floor(double p50, double p99) {
  }

  public record Spread(double avg, long max) {
  }
}
