package fineflow.engines.temporal;

import fineflow.activities.kubernetes.ProgramsConfigMap;
import fineflow.workers.client.TemporalConnection;
import fineflow.workers.dev.DevTemporal;
import fineflow.workers.worker.AwaitMode;
import fineflow.workers.worker.PipelineWorker;
import fineflow.workers.worker.WorkerTuning;
import fineflow.workflows.pipeline.TaskQueue;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A fineflow worker in a JVM of its own, so a test can SIGKILL it mid-stage: the same
 * {@link PipelineWorker} a cluster runs, on the test's Temporal server and Kubernetes API.
 * Args: TEMPORAL_TARGET KUBERNETES_URL NAMESPACE. Prints "worker started" once it polls.
 */
public final class ChildWorker {
  private ChildWorker() {
  }

  public static void main(String[] args) throws InterruptedException {
    TemporalConnection connection = TemporalConnection.open(args[0], DevTemporal.NAMESPACE);
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(args[1]).withNamespace(args[2]).build();
    KubernetesClient kubernetes = new KubernetesClientBuilder().withConfig(config).build();
    // As `fineflow worker` does: stage pods mount their Python programs from this ConfigMap.
    ProgramsConfigMap.apply(kubernetes, args[2], ProgramsConfigMap.fromClasspath());
    PipelineWorker.start(connection.client(), TaskQueue.DEFAULT, kubernetes, args[2], service -> {
          throw new IllegalStateException("the child worker serves no model: " + service.getMetadata().getName());
        }, AwaitMode.poll, new SimpleMeterRegistry(), WorkerTuning.defaults());
    System.out.println("worker started");
    System.out.flush();
    Thread.currentThread().join();
  }

  /** Starts it with this JVM's class path; its output goes to {@code log}. */
  static Process start(String temporal, String kubernetes, String namespace, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ChildWorker.class.getName(), temporal, kubernetes, namespace));
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }
}
