package fineflow.workers.bench;

import fineflow.activities.DaemonThreads;
import fineflow.activities.kubernetes.CacheStore;
import fineflow.activities.kubernetes.FineflowLabels;
import fineflow.activities.kubernetes.KubernetesStageActivities;
import fineflow.workflows.contract.CleanupRequest;
import fineflow.workflows.pipeline.RunOutcome;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Deletes a finished run's objects from the mock API server, as a cluster's Job TTL
 * controller and an operator's teardown would. The mock server finds objects by scanning all
 * it stores (JFR: most of the stack's CPU at 100 pipelines), so without this every request
 * slows with the number of runs already finished, which a real API server's indexed store
 * does not. Its requests go through an uncounted client: they are not fineflow's.
 */
final class Teardown implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final ExecutorService pool = Executors.newSingleThreadExecutor(new DaemonThreads("bench-teardown"));

  Teardown(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** @param outcome the run's, for its cache entries; null for a run stopped unfinished */
  void remove(String runId, RunOutcome outcome) {
    String run = FineflowLabels.runValue(runId);
    pool.execute(() -> {
      try {
        // The run's cleanup: model servers are shared by the runs of one key, and it leaves them
        // (deleting one only as its last user) where a delete by label would pull them from
        // runs still measuring.
        new KubernetesStageActivities(client, namespace, java.util.Map.of()).cleanup(new CleanupRequest(runId, namespace, false));
        client.pods().inNamespace(namespace).withLabel(FineflowLabels.RUN, run).delete();
        if (outcome == null) {
          return;
        }
        outcome.stages().stream().filter(s -> s.identity().cacheKey() != null).forEach(s ->
            client.configMaps().inNamespace(namespace).withName(CacheStore.PREFIX + s.identity().cacheKey().substring(0, 12))
                .delete());
      } catch (KubernetesClientException | io.temporal.failure.ApplicationFailure e) {
        // Left over: later requests scan a little more; the measurement stays valid.
      }
    });
  }

  @Override
  public void close() {
    // Removals still queued finish first: closing the client under one throws out of its thread.
    pool.shutdown();
    try {
      pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.shutdownNow();
    client.close();
  }
}
