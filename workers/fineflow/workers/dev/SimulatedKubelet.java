package fineflow.workers.dev;

import fineflow.activities.DaemonThreads;
import fineflow.activities.containers.ContainerLaunch;
import fineflow.activities.containers.ContainerStartException;
import fineflow.activities.containers.ImageContract;
import fineflow.activities.containers.ImageContracts;
import fineflow.activities.rollout.RolloutExecutor;
import fineflow.workflows.plan.StageName;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded stack's node: the mock API server has no controllers, so this plays the Job
 * controller and the kubelet. It watches Jobs (one informer), creates each Job's pod, moves it
 * Pending → Running → Succeeded/Failed with a termination message, and marks Deployments
 * available. Pods run as written: each container's effective argv is its command/args over
 * its image's ENTRYPOINT/CMD ({@link ImageContracts}), its program must be one the image has and
 * no mount may hide it ({@link ContainerLaunch}), and its paths are the pod's own volumes laid
 * out locally ({@link PodMounts}). Init containers that copy ({@code cp}) run for real; the
 * image's {@code fineflow} program runs in this JVM ({@link InProcessStage}); GPU programs are
 * simulated ({@link SimulatedGpuStage}) and say so. No thread per running pod: phases are timed
 * on one scheduler.
 */
public final class SimulatedKubelet implements AutoCloseable {
  public static final String NODE_NAME = "simulated-gpu-node-0";
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedKubelet.class);
  private static final String STAGE_LABEL = "fineflow.dev/stage";
  private static final int MAX_PROGRESS_UPDATES = 20;
  /** The image's program that the dev node runs in this JVM. */
  private static final String FINEFLOW_PROGRAM = "fineflow";
  /** The only program an init container may run here: it copies files, as on a cluster. */
  private static final String COPY_PROGRAM = "cp";
  /** Where the Triton image keeps its model skeletons (TL triton_backend/all_models). */
  private static final String TRITON_MODELS = "/app/all_models";

  private final KubernetesClient client;
  private final PodLogStore logs;
  private final SimulatedGpuStage gpu;
  private final InProcessStage inProcess;
  private final SimulatedBenchmark benchmark;
  private final FailureInjection failures;
  private final ModelServers servers;
  private final ScheduledExecutorService clock =
      Executors.newScheduledThreadPool(2, new DaemonThreads("kubelet-clock"));
  private final ExecutorService containers =
      Executors.newFixedThreadPool(2, new DaemonThreads("kubelet-container"));
  private final Set<String> started = ConcurrentHashMap.newKeySet();
  private final Map<String, List<ScheduledFuture<?>>> timers = new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final Duration podStartDelay;
  private final StageTimeline timeline;
  private final WorkspacePaths paths;
  private final ImageContracts images = ImageContracts.fromClasspath();

  public SimulatedKubelet(KubernetesClient client, PodLogStore logs, WorkspacePaths paths,
      DevOptions options, ModelServers servers) {
    this(client, logs, paths, options, servers, new StageTimeline());
  }

  /** @param timeline told when a stage's pod Succeeded ({@code bench-orchestrator}) */
  public SimulatedKubelet(KubernetesClient client, PodLogStore logs, WorkspacePaths paths,
      DevOptions options, ModelServers servers, StageTimeline timeline) {
    this.timeline = timeline;
    this.client = client;
    this.logs = logs;
    this.paths = paths;
    this.gpu = new SimulatedGpuStage(options.speed(), options.stageDuration());
    this.inProcess = new InProcessStage();
    this.benchmark = new SimulatedBenchmark(inProcess);
    this.failures = new FailureInjection(options.failStage(), options.failTimes());
    this.servers = servers;
    this.podStartDelay = options.stageDuration() != null && options.stageDuration().isZero()
        ? Duration.ZERO : Duration.ofMillis(200);
  }

  public SimulatedKubelet start() {
    informers.add(client.batch().v1().jobs().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Job job) {
        admit(job);
      }

      @Override
      public void onUpdate(Job oldJob, Job job) {
        admit(job);
      }

      @Override
      public void onDelete(Job job, boolean unknown) {
        stop(job.getMetadata().getUid());
        deletePods(job.getMetadata().getNamespace(), job.getMetadata().getName());
      }
    }));
    informers.add(client.apps().deployments().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Deployment d) {
        rollOut(d);
      }

      @Override
      public void onUpdate(Deployment old, Deployment d) {
        if (old.getMetadata().getGeneration() == null
            || !old.getMetadata().getGeneration().equals(d.getMetadata().getGeneration())) {
          started.remove(d.getMetadata().getUid() + "/" + old.getMetadata().getGeneration());
        }
        rollOut(d);
      }

      @Override
      public void onDelete(Deployment d, boolean unknown) {
        servers.stop(d.getMetadata().getNamespace(), d.getMetadata().getName());
        deletePods(d.getMetadata().getNamespace(), d.getMetadata().getName());
      }
    }));
    return this;
  }

  private void admit(Job job) {
    String uid = job.getMetadata().getUid();
    boolean finished = job.getStatus() != null
        && (job.getStatus().getSucceeded() != null || job.getStatus().getFailed() != null);
    if (finished || job.getMetadata().getDeletionTimestamp() != null || !started.add(uid)) {
      return;
    }
    Pod pod = client.pods().inNamespace(job.getMetadata().getNamespace()).resource(podFor(job)).create();
    schedule(uid, podStartDelay, () -> runContainer(job, pod));
  }

  private Pod podFor(Job job) {
    String jobName = job.getMetadata().getName();
    String uid = job.getMetadata().getUid();
    Map<String, String> labels = new HashMap<>();
    if (job.getSpec().getTemplate().getMetadata() != null
        && job.getSpec().getTemplate().getMetadata().getLabels() != null) {
      labels.putAll(job.getSpec().getTemplate().getMetadata().getLabels());
    }
    labels.put("job-name", jobName);
    labels.put("batch.kubernetes.io/job-name", jobName);
    labels.put("controller-uid", uid);
    labels.put("batch.kubernetes.io/controller-uid", uid);
    return new PodBuilder()
        .withNewMetadata()
          .withName(podName(jobName, uid))
          .withNamespace(job.getMetadata().getNamespace())
          .withLabels(labels)
          .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
              .withName(jobName).withUid(uid).withController(true).withBlockOwnerDeletion(true).build())
        .endMetadata()
        .withSpec(job.getSpec().getTemplate().getSpec())
        .editSpec().withNodeName(NODE_NAME).endSpec()
        .withNewStatus()
          .withPhase("Pending")
          .withConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("True")
              .withLastTransitionTime(Instant.now().toString()).build())
        .endStatus()
        .build();
  }

  private static String podName(String jobName, String uid) {
    String suffix = Integer.toString(Math.abs(uid.hashCode()) % 60466176, 36);
    String base = jobName.length() > 57 ? jobName.substring(0, 57) : jobName;
    return base + "-" + ("00000" + suffix).substring(suffix.length());
  }

  private void runContainer(Job job, Pod pod) {
    String ns = job.getMetadata().getNamespace();
    String podName = pod.getMetadata().getName();
    PodSpec spec = job.getSpec().getTemplate().getSpec();
    StageName stage = StageName.of(job.getMetadata().getLabels().get(STAGE_LABEL));
    setPodRunning(ns, podName, job);
    containers.execute(() -> {
      StageOutcome outcome;
      try {
        outcome = failures.shouldFail(stage) ? failures.outcome(stage) : runPod(ns, podName, stage, spec);
      } catch (ContainerStartException e) {
        // What the kubelet reports for a container whose program cannot start (StartError).
        outcome = new StageOutcome(List.of(e.getMessage()), Duration.ZERO, 128, e.getMessage());
      } catch (RuntimeException e) {
        LOG.warn("simulated container of {} crashed", podName, e);
        outcome = new StageOutcome(List.of("container error: " + e), Duration.ZERO, 1, "container error: " + e);
      }
      play(job, ns, podName, outcome);
    });
  }

  /** The pod's init containers in order, then its container, each as its image would run it. */
  private StageOutcome runPod(String ns, String podName, StageName stage, PodSpec spec) {
    Path scratch = podDirectory(ns, podName);
    List<String> initLines = new ArrayList<>();
    for (Container init : spec.getInitContainers()) {
      StageOutcome done = runInit(ns, spec, init, scratch);
      initLines.addAll(done.logLines());
      if (!done.succeeded()) {
        return done;
      }
    }
    Container main = spec.getContainers().get(0);
    ContainerLaunch launch = ContainerLaunch.resolve(main, images);
    PodMounts mounts = mounts(ns, spec, main, launch.image(), scratch);
    StageOutcome outcome;
    if (launch.program().name().equals(FINEFLOW_PROGRAM)) {
      outcome = stage == StageName.BENCHMARK
          ? benchmark.run(launch.programArgs(), mounts)
          : inProcess.run(launch.programArgs(), mounts);
    } else {
      outcome = gpu.run(stage, new StageArgs(launch.argv()), mounts);
    }
    if (initLines.isEmpty()) {
      return outcome;
    }
    List<String> lines = new ArrayList<>(initLines);
    lines.addAll(outcome.logLines());
    return new StageOutcome(lines, outcome.duration(), outcome.exitCode(), outcome.terminationMessage());
  }

  private StageOutcome runInit(String ns, PodSpec spec, Container init, Path scratch) {
    ContainerLaunch launch = ContainerLaunch.resolve(init, images);
    if (!launch.program().name().equals(COPY_PROGRAM)) {
      throw new ContainerStartException("init container " + init.getName() + " runs "
          + launch.program().name() + ", which the simulated node cannot run (only " + COPY_PROGRAM + ")");
    }
    PodMounts mounts = mounts(ns, spec, init, launch.image(), scratch);
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

  private PodMounts mounts(String ns, PodSpec spec, Container c, ImageContract image, Path scratch) {
    return PodMounts.of(spec, c, paths.workspace(), scratch, name -> configMap(ns, name), imageFiles(image));
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

  private Optional<ConfigMap> configMap(String ns, String name) {
    try {
      return Optional.ofNullable(client.configMaps().inNamespace(ns).withName(name).get());
    } catch (KubernetesClientException e) {
      return Optional.empty();
    }
  }

  /** emptyDirs and ConfigMap volumes of one pod, next to the workspace. */
  private Path podDirectory(String ns, String podName) {
    try {
      return Files.createDirectories(paths.workspace().resolveSibling("pods").resolve(ns).resolve(podName));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Spreads the log lines over the outcome's duration, then terminates the container. */
  private void play(Job job, String ns, String podName, StageOutcome outcome) {
    String uid = job.getMetadata().getUid();
    List<String> lines = outcome.logLines();
    long total = outcome.duration().toMillis();
    if (total == 0 || lines.size() <= 1) {
      lines.forEach(l -> logs.append(ns, podName, l));
    } else {
      int updates = Math.min(lines.size(), MAX_PROGRESS_UPDATES);
      AtomicInteger next = new AtomicInteger();
      for (int u = 1; u <= updates; u++) {
        int upTo = (int) Math.round(u * (double) lines.size() / updates);
        schedule(uid, Duration.ofMillis(total * (u - 1) / updates), () -> {
          while (next.get() < upTo) {
            logs.append(ns, podName, lines.get(next.getAndIncrement()));
          }
        });
      }
    }
    schedule(uid, outcome.duration(), () -> terminate(job, ns, podName, outcome));
  }

  private void setPodRunning(String ns, String podName, Job job) {
    String container = job.getSpec().getTemplate().getSpec().getContainers().get(0).getName();
    editPodStatus(ns, podName, "Running", new ContainerStatusBuilder().withName(container)
        .withReady(true).withStarted(true).withRestartCount(0)
        .withImage(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .withState(new ContainerStateBuilder().withNewRunning().withStartedAt(Instant.now().toString())
            .endRunning().build()).build());
  }

  private void terminate(Job job, String ns, String podName, StageOutcome outcome) {
    String container = job.getSpec().getTemplate().getSpec().getContainers().get(0).getName();
    boolean ok = outcome.succeeded();
    String now = Instant.now().toString();
    editPodStatus(ns, podName, ok ? "Succeeded" : "Failed", new ContainerStatusBuilder()
        .withName(container).withReady(false).withStarted(false).withRestartCount(0)
        .withImage(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .withState(new ContainerStateBuilder().withNewTerminated()
            .withExitCode(outcome.exitCode()).withReason(ok ? "Completed" : "Error")
            .withMessage(outcome.terminationMessage()).withFinishedAt(now).endTerminated().build())
        .build());
    if (ok) {
      Map<String, String> labels = job.getMetadata().getLabels();
      timeline.succeeded(labels.get(EmbeddedKubernetes.RUN_LABEL), labels.get(STAGE_LABEL));
    }
    try {
      client.batch().v1().jobs().inNamespace(ns).withName(job.getMetadata().getName()).editStatus(j -> {
        j.setStatus(j.getStatus() == null ? new io.fabric8.kubernetes.api.model.batch.v1.JobStatus() : j.getStatus());
        j.getStatus().setActive(0);
        j.getStatus().setCompletionTime(ok ? now : null);
        j.getStatus().setSucceeded(ok ? 1 : 0);
        j.getStatus().setFailed(ok ? 0 : 1);
        j.getStatus().setConditions(ok
            ? List.of(condition("SuccessCriteriaMet", "CompletionsReached", now),
                condition("Complete", "CompletionsReached", now))
            : List.of(condition("FailureTarget", "BackoffLimitExceeded", now),
                condition("Failed", "BackoffLimitExceeded", now)));
        return j;
      });
    } catch (KubernetesClientException e) {
      LOG.debug("job {} is gone before it finished", job.getMetadata().getName());
    }
    timers.remove(job.getMetadata().getUid());
  }

  private static io.fabric8.kubernetes.api.model.batch.v1.JobCondition condition(String type, String reason, String now) {
    return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason)
        .withLastTransitionTime(now).withLastProbeTime(now).build();
  }

  private void editPodStatus(String ns, String podName, String phase, ContainerStatus status) {
    try {
      client.pods().inNamespace(ns).withName(podName).editStatus(p -> {
        p.getStatus().setPhase(phase);
        p.getStatus().setContainerStatuses(List.of(status));
        if (p.getStatus().getStartTime() == null) {
          p.getStatus().setStartTime(Instant.now().toString());
        }
        return p;
      });
    } catch (KubernetesClientException e) {
      LOG.debug("pod {} is gone", podName);
    }
  }

  private void rollOut(Deployment d) {
    String key = d.getMetadata().getUid() + "/" + d.getMetadata().getGeneration();
    if (d.getMetadata().getDeletionTimestamp() != null || !started.add(key)) {
      return;
    }
    schedule(key, podStartDelay, () -> {
      String ns = d.getMetadata().getNamespace();
      PodSpec spec = d.getSpec().getTemplate().getSpec();
      Container server = spec.getContainers().get(0);
      ContainerLaunch launch;
      try {
        launch = ContainerLaunch.resolve(server, images);
      } catch (ContainerStartException e) {
        // The server never starts: no model server, no availability, a log that says why.
        createServerPod(d, e.getMessage());
        return;
      }
      PodMounts mounts = mounts(ns, spec, server, launch.image(),
          podDirectory(ns, d.getMetadata().getName() + "-" + d.getMetadata().getGeneration()));
      servers.start(d, launch.argv(), mounts::local);
      createServerPod(d, null);
      int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
      String now = Instant.now().toString();
      try {
        client.apps().deployments().inNamespace(d.getMetadata().getNamespace())
            .withName(d.getMetadata().getName()).editStatus(x -> {
              x.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatus());
              x.getStatus().setObservedGeneration(x.getMetadata().getGeneration());
              x.getStatus().setReplicas(replicas);
              x.getStatus().setUpdatedReplicas(replicas);
              x.getStatus().setReadyReplicas(replicas);
              x.getStatus().setAvailableReplicas(replicas);
              x.getStatus().setConditions(List.of(new DeploymentConditionBuilder().withType("Available")
                  .withStatus("True").withReason("MinimumReplicasAvailable")
                  .withMessage("simulated: the model server answers on " + servers.url(x).orElse("?"))
                  .withLastTransitionTime(now).withLastUpdateTime(now).build()));
              return x;
            });
      } catch (KubernetesClientException e) {
        LOG.debug("deployment {} is gone", d.getMetadata().getName());
      }
    });
  }

  /** The model server's pod, marked simulated, so the rollout's result says so and logs have a pod. */
  private void createServerPod(Deployment d, String startError) {
    String ns = d.getMetadata().getNamespace();
    String name = podName(d.getMetadata().getName(), d.getMetadata().getUid() + d.getMetadata().getGeneration());
    Pod pod = new PodBuilder()
        .withNewMetadata()
          .withName(name).withNamespace(ns)
          .withLabels(d.getSpec().getTemplate().getMetadata().getLabels())
          .addToAnnotations(RolloutExecutor.SIMULATED_ANNOTATION, "true")
          .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
              .withName(d.getMetadata().getName()).withUid(d.getMetadata().getUid()).withController(true).build())
        .endMetadata()
        .withSpec(d.getSpec().getTemplate().getSpec())
        .editSpec().withNodeName(NODE_NAME).endSpec()
        .withNewStatus().withPhase(startError == null ? "Running" : "Pending")
          .withStartTime(Instant.now().toString()).endStatus()
        .build();
    if (startError != null) {
      // As the kubelet reports a container whose program cannot start.
      String container = d.getSpec().getTemplate().getSpec().getContainers().get(0).getName();
      pod.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName(container)
          .withReady(false).withRestartCount(0).withImage(d.getSpec().getTemplate().getSpec()
              .getContainers().get(0).getImage())
          .withState(new ContainerStateBuilder().withNewWaiting().withReason("RunContainerError")
              .withMessage(startError).endWaiting().build()).build()));
    }
    try {
      client.pods().inNamespace(ns).resource(pod).create();
      logs.append(ns, name, startError != null ? startError
          : "[simulated] model server for " + d.getMetadata().getName() + " answers on "
              + servers.url(d).orElse("?"));
    } catch (KubernetesClientException e) {
      LOG.debug("pod {} exists already", name);
    }
  }

  private void deletePods(String ns, String ownerName) {
    try {
      client.pods().inNamespace(ns).list().getItems().stream()
          .filter(p -> p.getMetadata().getOwnerReferences().stream()
              .anyMatch(o -> o.getName().equals(ownerName))
              || ownerName.equals(p.getMetadata().getLabels().get("job-name")))
          .forEach(p -> {
            client.pods().inNamespace(ns).withName(p.getMetadata().getName()).delete();
            logs.remove(ns, p.getMetadata().getName());
          });
    } catch (KubernetesClientException e) {
      LOG.debug("cannot delete pods of {}", ownerName, e);
    }
  }

  private void schedule(String owner, Duration delay, Runnable task) {
    ScheduledFuture<?> f = clock.schedule(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("simulated kubelet task failed", e);
      }
    }, delay.toMillis(), TimeUnit.MILLISECONDS);
    timers.computeIfAbsent(owner, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(f);
  }

  private void stop(String uid) {
    List<ScheduledFuture<?>> pending = timers.remove(uid);
    if (pending != null) {
      pending.forEach(f -> f.cancel(false));
    }
  }


  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    clock.shutdownNow();
    containers.shutdownNow();
    servers.close();
  }
}
