package fineflow.workers.dev;

import fineflow.activities.DaemonThreads;
import fineflow.activities.containers.ContainerLaunch;
import fineflow.activities.containers.ContainerStartException;
import fineflow.activities.containers.ImageContract;
import fineflow.activities.containers.ImageContracts;
import fineflow.workflows.plan.StageName;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs pods as the dev node does, for both of its roles: the embedded stack's
 * {@link SimulatedKubelet} on the mock API server and the {@link NodeAgent} of a real cluster.
 * Pods run as written: each container's effective argv is its command/args over its image's
 * ENTRYPOINT/CMD ({@link ImageContracts}), its program must be one the image has and no mount
 * may hide it ({@link ContainerLaunch}), and its paths are the pod's own volumes laid out locally
 * ({@link PodMounts}). Init containers that copy ({@code cp}) run for real; the image's
 * {@code fineflow} program runs in this JVM ({@link InProcessStage}); GPU programs are simulated
 * ({@link SimulatedGpuStage}) and say so. No thread per running pod: log lines are played out
 * over the outcome's duration on one scheduler, and two threads run containers.
 */
final class PodRunner implements AutoCloseable {
  static final String STAGE_LABEL = "fineflow.dev/stage";
  private static final Logger LOG = LoggerFactory.getLogger(PodRunner.class);
  private static final int MAX_PROGRESS_UPDATES = 20;
  /** The image's program that the dev node runs in this JVM. */
  private static final String FINEFLOW_PROGRAM = "fineflow";
  /** The only program an init container may run here: it copies files, as on a cluster. */
  private static final String COPY_PROGRAM = "cp";
  /** Where the Triton image keeps its model skeletons (TL triton_backend/all_models). */
  private static final String TRITON_MODELS = "/app/all_models";
  /** What the kubelet reports for a container whose program cannot start. */
  static final int START_ERROR_EXIT = 128;
  static final String START_ERROR = "StartError";

  private final WorkspacePaths paths;
  private final SimulatedGpuStage gpu;
  private final InProcessStage inProcess;
  private final SimulatedBenchmark benchmark;
  private final FailureInjection failures;
  private final ModelServers servers;
  private final ImageContracts images = ImageContracts.fromClasspath();
  private final ScheduledExecutorService clock =
      Executors.newScheduledThreadPool(2, new DaemonThreads("kubelet-clock"));
  private final ExecutorService containers =
      Executors.newFixedThreadPool(2, new DaemonThreads("kubelet-container"));
  private final Map<String, List<ScheduledFuture<?>>> timers = new ConcurrentHashMap<>();
  /** Owners cancelled: an outcome that arrives later (a program that was running) is dropped. */
  private final java.util.Set<String> cancelled = ConcurrentHashMap.newKeySet();
  private final Duration startDelay;

  PodRunner(WorkspacePaths paths, DevOptions options, ModelServers servers) {
    this.paths = paths;
    this.gpu = new SimulatedGpuStage(options.speed(), options.stageDuration());
    this.inProcess = new InProcessStage();
    this.benchmark = new SimulatedBenchmark(inProcess);
    this.failures = new FailureInjection(options.failStage(), options.failTimes());
    this.servers = servers;
    this.startDelay = options.stageDuration() != null && options.stageDuration().isZero()
        ? Duration.ZERO : Duration.ofMillis(200);
  }

  /** What a pod's volumes are on this node. */
  interface Volumes {
    /** The local directory behind a PersistentVolumeClaim. */
    Path claim(String claimName);

    /** A ConfigMap of the pod's namespace, when it exists. */
    Optional<ConfigMap> configMap(String name);
  }

  /**
   * What a running pod tells its node, in order: each container starts, logs and terminates
   * (init containers first), then the pod finishes with the outcome that decides its phase.
   */
  interface Listener {
    void started(String container);

    void log(String container, String line);

    void terminated(String container, StageOutcome outcome);

    /** @param outcome the main container's, or the first failed init container's */
    void finished(StageOutcome outcome);
  }

  /**
   * One pod to run.
   *
   * @param owner groups the pod's timers, so that {@link #cancel} stops them
   * @param stage the pod's fineflow stage (its {@value #STAGE_LABEL} label); null for none
   */
  record PodToRun(String owner, String namespace, String name, StageName stage, PodSpec spec, Volumes volumes) {
  }

  /** Runs the pod after a short start delay, off the caller's thread. */
  void run(PodToRun pod, Listener listener) {
    after(pod.owner(), startDelay, () -> containers.execute(() -> {
      try {
        runNow(pod, listener);
      } catch (RuntimeException e) {
        LOG.warn("pod {}/{} could not be run", pod.namespace(), pod.name(), e);
      }
    }));
  }

  private void runNow(PodToRun pod, Listener listener) {
    Path scratch = podDirectory(pod.namespace(), pod.name());
    Container main = pod.spec().getContainers().get(0);
    if (pod.stage() != null && failures.shouldFail(pod.stage())) {
      listener.started(main.getName());
      play(pod.owner(), main.getName(), failures.outcome(pod.stage()), listener);
      return;
    }
    for (Container init : pod.spec().getInitContainers()) {
      listener.started(init.getName());
      StageOutcome done = guarded(pod, () -> runInit(pod, init, scratch));
      done.logLines().forEach(l -> listener.log(init.getName(), l));
      listener.terminated(init.getName(), done);
      if (!done.succeeded()) {
        listener.finished(done);
        return;
      }
    }
    ContainerLaunch launch;
    try {
      launch = ContainerLaunch.resolve(main, images);
    } catch (ContainerStartException e) {
      // Never started: terminated straight from waiting, as the kubelet reports it.
      StageOutcome failed = startError(e.getMessage());
      failed.logLines().forEach(l -> listener.log(main.getName(), l));
      listener.terminated(main.getName(), failed);
      listener.finished(failed);
      return;
    }
    listener.started(main.getName());
    StageOutcome outcome = guarded(pod, () -> runMain(pod, main, launch, scratch));
    play(pod.owner(), main.getName(), outcome, listener);
  }

  private static StageOutcome guarded(PodToRun pod, java.util.function.Supplier<StageOutcome> body) {
    try {
      return body.get();
    } catch (ContainerStartException e) {
      return startError(e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("simulated container of {} crashed", pod.name(), e);
      return new StageOutcome(List.of("container error: " + e), Duration.ZERO, 1, "container error: " + e);
    }
  }

  static StageOutcome startError(String message) {
    return new StageOutcome(List.of(message), Duration.ZERO, START_ERROR_EXIT, message, START_ERROR);
  }

  private StageOutcome runMain(PodToRun pod, Container main, ContainerLaunch launch, Path scratch) {
    PodMounts mounts = mounts(pod, main, launch.image(), scratch);
    if (launch.program().name().equals(FINEFLOW_PROGRAM)) {
      return pod.stage() == StageName.BENCHMARK
          ? benchmark.run(launch.programArgs(), mounts)
          : inProcess.run(launch.programArgs(), mounts);
    }
    if (pod.stage() == null) {
      throw new ContainerStartException("container " + main.getName() + " runs " + launch.program().name()
          + ", which the simulated node runs only for a fineflow stage (label " + STAGE_LABEL + ")");
    }
    return gpu.run(pod.stage(), new StageArgs(launch.argv()), mounts);
  }

  private StageOutcome runInit(PodToRun pod, Container init, Path scratch) {
    ContainerLaunch launch = ContainerLaunch.resolve(init, images);
    if (!launch.program().name().equals(COPY_PROGRAM)) {
      throw new ContainerStartException("init container " + init.getName() + " runs "
          + launch.program().name() + ", which the simulated node cannot run (only " + COPY_PROGRAM + ")");
    }
    PodMounts mounts = mounts(pod, init, launch.image(), scratch);
    List<String> argv = mounts.toLocal(launch.argv());
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int exit = p.waitFor();
      List<String> lines = new ArrayList<>();
      lines.add("[init " + init.getName() + "] " + String.join(" ", launch.argv()));
      out.lines().map(l -> "[init " + init.getName() + "] " + mounts.toPod(l)).forEach(lines::add);
      String message = exit == 0 ? "" : "init container " + init.getName() + " failed (exit " + exit + "): "
          + mounts.toPod(out.strip());
      return new StageOutcome(lines, Duration.ZERO, exit, message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running init container " + init.getName(), e);
    }
  }

  /**
   * A model server pod: starts its simulated server, reachable through {@link ModelServers}.
   *
   * @param serverName names the server in {@link ModelServers} (one per Deployment or per pod)
   * @return why it cannot start (the container's start error), or empty once it serves
   */
  Optional<String> startServer(String namespace, String serverName, Map<String, String> podLabels, PodSpec spec,
      Volumes volumes) {
    Container server = spec.getContainers().get(0);
    ContainerLaunch launch;
    try {
      launch = ContainerLaunch.resolve(server, images);
    } catch (ContainerStartException e) {
      return Optional.of(e.getMessage());
    }
    PodToRun pod = new PodToRun(serverName, namespace, serverName, null, spec, volumes);
    PodMounts mounts = mounts(pod, server, launch.image(), podDirectory(namespace, serverName));
    servers.start(namespace, serverName, podLabels, launch.argv(), mounts::local);
    return Optional.empty();
  }

  ModelServers servers() {
    return servers;
  }

  /** How long a pod waits before its containers start (none when stages take no time). */
  Duration startDelay() {
    return startDelay;
  }

  private PodMounts mounts(PodToRun pod, Container c, ImageContract image, Path scratch) {
    return PodMounts.of(pod.spec(), c, pod.volumes()::claim, scratch, pod.volumes()::configMap, imageFiles(image));
  }

  /**
   * Local stand-ins for directories an image provides: the Triton image's model skeletons
   * ({@code /app/all_models}) are the dev stack's copy of {@code inflight_batcher_llm}.
   */
  private Map<String, Path> imageFiles(ImageContract image) {
    return image.provides(TRITON_MODELS + "/inflight_batcher_llm")
        ? Map.of(TRITON_MODELS, paths.skeleton())
        : Map.of();
  }

  /** emptyDirs and ConfigMap volumes of one pod, next to the workspace. */
  private Path podDirectory(String ns, String podName) {
    try {
      return Files.createDirectories(paths.workspace().resolveSibling("pods").resolve(ns).resolve(podName));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Spreads the container's log lines over the outcome's duration, then terminates it. */
  private void play(String owner, String container, StageOutcome outcome, Listener listener) {
    List<String> lines = outcome.logLines();
    long total = outcome.duration().toMillis();
    if (total == 0 || lines.size() <= 1) {
      lines.forEach(l -> listener.log(container, l));
    } else {
      int updates = Math.min(lines.size(), MAX_PROGRESS_UPDATES);
      AtomicInteger next = new AtomicInteger();
      for (int u = 1; u <= updates; u++) {
        int upTo = (int) Math.round(u * (double) lines.size() / updates);
        after(owner, Duration.ofMillis(total * (u - 1) / updates), () -> {
          while (next.get() < upTo) {
            listener.log(container, lines.get(next.getAndIncrement()));
          }
        });
      }
    }
    after(owner, outcome.duration(), () -> {
      timers.remove(owner);
      listener.terminated(container, outcome);
      listener.finished(outcome);
    });
  }

  /** Runs {@code task} after {@code delay} on the node's clock, cancelled with its owner. */
  void after(String owner, Duration delay, Runnable task) {
    if (cancelled.contains(owner)) {
      return;
    }
    ScheduledFuture<?> f = clock.schedule(() -> {
      if (cancelled.contains(owner)) {
        return;
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("simulated node task failed", e);
      }
    }, delay.toMillis(), TimeUnit.MILLISECONDS);
    timers.computeIfAbsent(owner, k -> new CopyOnWriteArrayList<>()).add(f);
  }

  /**
   * Stops what is pending for the owner: its start, its log lines, its termination. A container
   * already running in this JVM (a fineflow program) runs to its end; its outcome is dropped.
   */
  void cancel(String owner) {
    cancelled.add(owner);
    List<ScheduledFuture<?>> pending = timers.remove(owner);
    if (pending != null) {
      pending.forEach(f -> f.cancel(false));
    }
  }

  @Override
  public void close() {
    clock.shutdownNow();
    containers.shutdownNow();
    servers.close();
  }
}
