package fineflow.workers.dev;

import fineflow.activities.kubernetes.ProgramsConfigMap;
import fineflow.workers.client.TemporalConnection;
import fineflow.workers.dev.EngineChoice.Engine;
import fineflow.workers.worker.PipelineWorker;
import fineflow.workers.worker.WorkerTuning;
import fineflow.workflows.pipeline.RunSearchAttributes;
import fineflow.workflows.pipeline.TaskQueue;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The dev stack in one JVM: Temporal (the real dev server as a child process, or Temporal's
 * Java test server on a TCP port), Kubernetes (a real control plane with fineflow's node agent
 * as its GPU node, {@link RealCluster}, or Fabric8's mock API server with the simulated kubelet),
 * and a real fineflow worker whose activities talk to that API server exactly as they would to
 * a cluster.
 */
public final class DevStack implements AutoCloseable {
  /** Files the simulated node needs in its workspace: the demo dataset and the Triton skeleton. */
  static final String DEMO_DATASET_RESOURCE = "/examples/demo-dataset.jsonl";
  static final String SKELETON_RESOURCE_ROOT = "fineflow/dev/triton-skeleton/";
  private static final String[] SKELETON_FILES = {
      "ensemble/config.pbtxt", "preprocessing/config.pbtxt", "preprocessing/1/model.py",
      "postprocessing/config.pbtxt", "postprocessing/1/model.py", "tensorrt_llm/config.pbtxt",
      "tensorrt_llm_bls/config.pbtxt", "tensorrt_llm_bls/1/model.py"};

  /** Simulated stages take seconds: show their progress lines as they come. */
  private static final WorkerTuning INTERACTIVE = WorkerTuning.defaults().withWatchTick(Duration.ofSeconds(1));

  private final DevOptions options;
  private final DevEngines engines;
  private final DevTemporal temporal;
  /** One of the two is set: the mock API server, or the real control plane. */
  private final EmbeddedKubernetes kubernetes;
  private final RealCluster cluster;
  private final KubernetesClient kubernetesClient;
  private final ModelServers modelServers;
  private final SimulatedKubelet kubelet;
  private final TemporalConnection connection;
  private final MeterRegistry registry;
  private final WorkerTuning tuning;
  private PipelineWorker worker;

  private DevStack(DevOptions options, MeterRegistry registry, WorkerTuning tuning, DevTemporal attached,
      boolean withWorker) {
    this.options = options;
    this.registry = registry;
    this.tuning = tuning;
    Path workspace = prepareWorkspace(options.workspace());
    WorkspacePaths paths = new WorkspacePaths(workspace, workspace.resolveSibling("skeleton"));
    DevEngines resolved = DevEngines.resolve(options.engines());
    this.engines = attached == null ? resolved
        : new DevEngines(attached instanceof RealTemporal ? Engine.real : Engine.embedded, resolved.kubernetes());
    this.temporal = attached != null ? attached
        : engines.temporal() == Engine.real ? RealTemporal.start(options.temporalDatabase(), options.temporalPort())
        : EmbeddedTemporal.start(options.temporalPort(), RunSearchAttributes.ALL);
    this.modelServers = new ModelServers();
    if (engines.kubernetes() == Engine.real) {
      this.kubernetes = null;
      this.kubelet = null;
      this.cluster = startCluster(options, workspace, modelServers, temporal, attached);
      this.kubernetesClient = cluster.workerClient();
    } else {
      this.cluster = null;
      this.kubernetes = new EmbeddedKubernetes().start(options.kubernetesPort());
      this.kubernetesClient = kubernetes.client();
      this.kubelet = new SimulatedKubelet(kubernetes.client(), kubernetes.logs(), paths, options, modelServers,
          kubernetes.timeline()).start();
    }
    this.connection = TemporalConnection.open(temporal.target(), DevTemporal.NAMESPACE);
    if (withWorker) {
      startWorker();
    }
  }

  /** A Temporal server this constructor started is stopped again when Kubernetes cannot start. */
  private static RealCluster startCluster(DevOptions options, Path workspace, ModelServers servers,
      DevTemporal temporal, DevTemporal attached) {
    try {
      return RealCluster.start(options, workspace, servers);
    } catch (RuntimeException e) {
      if (attached == null) {
        temporal.close();
      }
      throw e;
    }
  }

  public static DevStack start(DevOptions options) {
    return new DevStack(options, new SimpleMeterRegistry(), INTERACTIVE, null, true);
  }

  public static DevStack start(DevOptions options, MeterRegistry registry) {
    return new DevStack(options, registry, INTERACTIVE, null, true);
  }

  /** With a worker sized by {@code tuning} ({@code bench-orchestrator} compares settings). */
  public static DevStack start(DevOptions options, MeterRegistry registry, WorkerTuning tuning) {
    return new DevStack(options, registry, tuning, null, true);
  }

  /**
   * On a Temporal server the caller started and stops, with this JVM's worker started now or
   * later ({@link #startWorker}): for tests that kill and restart the server or another worker.
   */
  public static DevStack on(DevTemporal temporal, DevOptions options, boolean withWorker) {
    return new DevStack(options, new SimpleMeterRegistry(), INTERACTIVE, temporal, withWorker);
  }

  /** Starts this JVM's fineflow worker, unless it runs already. */
  public synchronized void startWorker() {
    if (worker != null) {
      return;
    }
    // As `fineflow worker` does on a cluster: pods mount their Python programs from this ConfigMap,
    // and the dev node runs them only where the pod's mount provides them.
    ProgramsConfigMap.apply(kubernetesClient, options.namespace(), ProgramsConfigMap.fromClasspath());
    worker = PipelineWorker.start(connection.client(), TaskQueue.DEFAULT, kubernetesClient,
        options.namespace(), service -> modelServers.url(service).orElseThrow(() -> new IllegalStateException(
            "no simulated model server behind service " + service.getMetadata().getName())),
        options.awaitMode(), registry, tuning);
  }

  public DevEndpoints endpoints() {
    return new DevEndpoints(temporal.target(), cluster != null ? cluster.controlPlane().url() : kubernetes.url(),
        options.namespace(), options.workspace().toAbsolutePath().toString(), ProcessHandle.current().pid(),
        Map.of("temporal", engines.temporal().name(), "kubernetes", engines.kubernetes().name()),
        temporal.uiUrl().orElse(null), temporal.httpUrl().orElse(null),
        cluster != null ? cluster.controlPlane().adminKubeconfig().toString() : null);
  }

  public DevEngines engines() {
    return engines;
  }

  public DevTemporal temporal() {
    return temporal;
  }

  public TemporalConnection connection() {
    return connection;
  }

  /**
   * The mock API server of an embedded stack.
   *
   * @throws IllegalStateException on real Kubernetes ({@link #cluster()})
   */
  public EmbeddedKubernetes kubernetes() {
    if (kubernetes == null) {
      throw new IllegalStateException("this dev stack runs on real Kubernetes: use cluster()");
    }
    return kubernetes;
  }

  /** The real control plane and its node agent, when the stack runs on real Kubernetes. */
  public java.util.Optional<RealCluster> cluster() {
    return java.util.Optional.ofNullable(cluster);
  }

  /** The client the worker's activities use (the mock server's, or the ServiceAccount's on real Kubernetes). */
  public KubernetesClient kubernetesClient() {
    return kubernetesClient;
  }

  public MeterRegistry registry() {
    return registry;
  }

  public DevOptions options() {
    return options;
  }

  /** Creates the workspace and seeds it with what the demo spec reads. */
  private static Path prepareWorkspace(Path workspace) {
    try {
      Files.createDirectories(workspace);
      copyResource(DEMO_DATASET_RESOURCE, workspace.resolve("examples/demo-dataset.jsonl"));
      Path skeleton = workspace.resolveSibling("skeleton").resolve("inflight_batcher_llm");
      for (String file : SKELETON_FILES) {
        copyResource("/" + SKELETON_RESOURCE_ROOT + "inflight_batcher_llm/" + file, skeleton.resolve(file));
      }
      for (String model : new String[] {"ensemble", "tensorrt_llm"}) {
        Files.createDirectories(skeleton.resolve(model).resolve("1"));
      }
      return workspace.toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the dev workspace " + workspace, e);
    }
  }

  private static void copyResource(String resource, Path target) throws IOException {
    try (InputStream in = DevStack.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("resource " + resource + " is missing from the fineflow jar");
      }
      Files.createDirectories(target.getParent());
      Files.write(target, in.readAllBytes());
    }
  }

  @Override
  public synchronized void close() {
    if (worker != null) {
      worker.close();
    }
    connection.close();
    if (kubelet != null) {
      kubelet.close();
      kubernetes.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    temporal.close();
  }
}
