package fineflow.workers.dev;

import fineflow.activities.kubernetes.FineflowLabels;
import fineflow.activities.DaemonThreads;
import fineflow.workers.engines.NodeCredentials;
import fineflow.workflows.plan.StageName;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dev node as a node of a real cluster: it plays the kubelet for one registered Node, with
 * the dev node's {@link PodRunner} as its container runtime. It registers the Node (capacity
 * with {@code nvidia.com/gpu} for the simulated GPUs, the labels GPU feature discovery would set,
 * its kubelet endpoint), renews the node Lease, and runs the pods the scheduler binds to it
 * (the Job and ReplicaSet controllers create them; the agent creates none). It writes pod
 * status as a kubelet does (phase, conditions, container states with exit codes, termination
 * messages with {@code FallbackToLogsOnError}), finishes the deletion of its pods, and serves
 * {@code /containerLogs} so that {@code pods/log} comes through the API server.
 *
 * <p>It authenticates as the node ({@code system:node:NAME} in {@code system:nodes}): the Node
 * authorizer and the NodeRestriction admission plugin limit it to its own Node, its own Lease
 * and the pods bound to it, and to the ConfigMaps, Secrets and volumes those pods reference,
 * as for any kubelet.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
  private static final String NODE_LEASE_NAMESPACE = "kube-node-lease";
  /** The kubelet's defaults: renew the Lease every 10 s (40 s duration), report status every minute. */
  private static final int LEASE_SECONDS = 40;
  private static final Duration LEASE_RENEW = Duration.ofSeconds(10);
  private static final Duration STATUS_REPORT = Duration.ofMinutes(1);
  /** pkg/kubelet/container: termination messages and their fallback from the log. */
  private static final int MESSAGE_LIMIT = 4096;
  private static final int FALLBACK_LINES = 80;
  /** How soon a mount that failed is tried again (the kubelet backs off from 0.5 s to about 2 min). */
  private static final Duration MOUNT_RETRY = Duration.ofSeconds(2);
  private static final int FALLBACK_BYTES = 2048;
  /** The exit code of a program stopped by SIGTERM (128 + 15), as the pod's deletion leaves it. */
  private static final int SIGTERM_EXIT = 143;
  private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_INSTANT;

  /**
   * What the node is.
   *
   * @param labels beside {@code kubernetes.io/hostname}, {@code os} and {@code arch}; no
   *     {@code *.kubernetes.io} label outside the kubelet's own set (NodeRestriction refuses them)
   * @param taints registered with the Node (a node may set its taints only when it registers)
   */
  public record Settings(String nodeName, int gpus, String gpuResource, String cpu, String memory,
      Map<String, String> labels, List<Taint> taints) {
    public static final String DEFAULT_NAME = "fineflow-gpu-node-0";

    public Settings {
      if (gpus < 0) {
        throw new IllegalArgumentException("--gpus must be >= 0, got " + gpus);
      }
      labels = Map.copyOf(labels);
      taints = List.copyOf(taints);
    }

    /**
     * A node of {@code gpus} simulated H100 PCIe GPUs, labelled as NVIDIA's GPU feature discovery
     * labels one (so the shipped configs' {@code nodeSelector} matches), with 16 CPUs and 128 GiB
     * per GPU, at least 32 CPUs and 256 GiB.
     */
    public static Settings gpuNode(int gpus) {
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("nvidia.com/gpu.present", "true");
      labels.put("nvidia.com/gpu.product", "NVIDIA-H100-PCIe");
      labels.put("nvidia.com/gpu.count", Integer.toString(gpus));
      labels.put("nvidia.com/gpu.memory", "81559");
      labels.put("fineflow.dev/simulated-node", "true");
      return new Settings(DEFAULT_NAME, gpus, "nvidia.com/gpu", Integer.toString(Math.max(32, 16 * gpus)),
          Math.max(256, 128 * gpus) + "Gi", labels, List.of());
    }
  }

  private final NodeCredentials credentials;
  private final Settings settings;
  private final PodRunner runner;
  private final double speed;
  private final KubernetesClient client;
  private final ContainerLogs logs = new ContainerLogs();
  /** When each stage's pod Succeeded here, taken in-process (the API server's times have 1 s granularity). */
  private final StageTimeline timeline = new StageTimeline();
  private final Map<String, RunningPod> pods = new ConcurrentHashMap<>();
  private final Map<String, Boolean> authorized = new ConcurrentHashMap<>();
  private final ScheduledExecutorService heartbeat =
      Executors.newSingleThreadScheduledExecutor(new DaemonThreads("node-agent-heartbeat"));
  private final HttpClient probes = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private KubeletServer kubelet;
  private SharedIndexInformer<Pod> informer;
  private String nodeUid;

  NodeAgent(NodeCredentials credentials, Settings settings, PodRunner runner, double speed) {
    this.credentials = credentials;
    this.settings = settings;
    this.runner = runner;
    this.speed = speed;
    Config config = Config.fromKubeconfig(credentials.kubeconfig().toFile());
    this.client = new KubernetesClientBuilder().withConfig(config).build();
  }

  /**
   * Joins the cluster as node {@code credentials.nodeName()}, on the dev stack's workspace and
   * options (speed, failure injection).
   */
  public static NodeAgent start(NodeCredentials credentials, Settings settings, Path workspace, DevOptions options,
      ModelServers servers) {
    WorkspacePaths paths = new WorkspacePaths(workspace, workspace.resolveSibling("skeleton"));
    NodeAgent agent = new NodeAgent(credentials, settings, new PodRunner(paths, options, servers), options.speed());
    try {
      return agent.start();
    } catch (RuntimeException e) {
      agent.close();
      throw e;
    }
  }

  NodeAgent start() {
    kubelet = new KubeletServer(credentials.serving(), credentials.clientCa(), this::authorizes, this::findLog);
    register();
    heartbeat.scheduleWithFixedDelay(this::renewLease, 0, LEASE_RENEW.toMillis(), TimeUnit.MILLISECONDS);
    heartbeat.scheduleWithFixedDelay(this::reportStatus, STATUS_REPORT.toMillis(), STATUS_REPORT.toMillis(),
        TimeUnit.MILLISECONDS);
    // Only the pods bound here: the Node authorizer lets a node list and watch no others.
    informer = client.pods().inAnyNamespace().withField("spec.nodeName", settings.nodeName())
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            sync(pod);
          }

          @Override
          public void onUpdate(Pod old, Pod pod) {
            sync(pod);
          }

          @Override
          public void onDelete(Pod pod, boolean unknownFinalState) {
            forget(pod);
          }
        }, Duration.ofSeconds(30).toMillis());
    LOG.info("node {} registered ({} x {}), kubelet endpoint 127.0.0.1:{}", settings.nodeName(), settings.gpus(),
        settings.gpuResource(), kubelet.port());
    return this;
  }

  /** Stage ends as this node wrote them (a pod's Succeeded status), for {@code bench-orchestrator}. */
  public StageTimeline timeline() {
    return timeline;
  }

  public String nodeName() {
    return settings.nodeName();
  }

  /** The model servers of the pods this node runs, by Service selector (the dev stack's cluster DNS). */
  public ModelServers servers() {
    return runner.servers();
  }

  // ---- the Node ---------------------------------------------------------------------------

  private void register() {
    Map<String, String> labels = new LinkedHashMap<>(settings.labels());
    labels.put("kubernetes.io/hostname", settings.nodeName());
    labels.put("kubernetes.io/os", "linux");
    labels.put("kubernetes.io/arch", "amd64");
    Node existing = client.nodes().withName(settings.nodeName()).get();
    Node node;
    if (existing == null) {
      node = client.nodes().resource(new NodeBuilder()
          .withNewMetadata().withName(settings.nodeName()).withLabels(labels).endMetadata()
          .withNewSpec().withTaints(settings.taints().isEmpty() ? null : settings.taints()).endSpec()
          .build()).create();
    } else {
      // Registered by an earlier run of the agent: its labels follow the settings (taints cannot).
      node = client.nodes().withName(settings.nodeName()).edit(n -> {
        n.getMetadata().getLabels().putAll(labels);
        return n;
      });
    }
    nodeUid = node.getMetadata().getUid();
    patchNodeStatus(true);
  }

  private void patchNodeStatus(boolean full) {
    String now = now();
    Map<String, Object> status = new LinkedHashMap<>();
    if (full) {
      Map<String, String> capacity = new LinkedHashMap<>();
      capacity.put("cpu", settings.cpu());
      capacity.put("memory", settings.memory());
      capacity.put("pods", "110");
      capacity.put("ephemeral-storage", "1Ti");
      capacity.put(settings.gpuResource(), Integer.toString(settings.gpus()));
      status.put("capacity", capacity);
      status.put("allocatable", capacity);
      status.put("addresses", List.of(Map.of("type", "InternalIP", "address", "127.0.0.1"),
          Map.of("type", "Hostname", "address", settings.nodeName())));
      status.put("daemonEndpoints", Map.of("kubeletEndpoint", Map.of("Port", kubelet.port())));
      String version = client.getKubernetesVersion().getGitVersion();
      Map<String, String> info = new LinkedHashMap<>();
      info.put("machineID", machineId());
      info.put("systemUUID", UUID.nameUUIDFromBytes(settings.nodeName().getBytes(StandardCharsets.UTF_8)).toString());
      info.put("bootID", UUID.randomUUID().toString());
      info.put("kernelVersion", System.getProperty("os.version"));
      info.put("osImage", "fineflow dev node agent (simulated GPUs) on " + System.getProperty("os.name"));
      info.put("containerRuntimeVersion", "fineflow-dev://" + version);
      info.put("kubeletVersion", version);
      info.put("kubeProxyVersion", "");
      info.put("operatingSystem", "linux");
      info.put("architecture", "amd64");
      status.put("nodeInfo", info);
    }
    status.put("conditions", List.of(
        nodeCondition("Ready", "True", "KubeletReady", "fineflow node agent is posting ready status", now),
        nodeCondition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
        nodeCondition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
        nodeCondition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now)));
    client.nodes().withName(settings.nodeName()).subresource("status")
        .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), Serialization.asJson(Map.of("status", status)));
  }

  private static Map<String, String> nodeCondition(String type, String status, String reason, String message,
      String now) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("type", type);
    c.put("status", status);
    c.put("reason", reason);
    c.put("message", message);
    c.put("lastHeartbeatTime", now);
    c.put("lastTransitionTime", now);
    return c;
  }

  private String machineId() {
    return UUID.nameUUIDFromBytes(("machine-" + settings.nodeName()).getBytes(StandardCharsets.UTF_8))
        .toString().replace("-", "");
  }

  private void reportStatus() {
    try {
      patchNodeStatus(false);
    } catch (KubernetesClientException e) {
      LOG.warn("node {}: status report failed ({}); next one in {} s", settings.nodeName(), e.getMessage(),
          STATUS_REPORT.toSeconds());
    }
  }

  /** The node's heartbeat (KEP-589): what the node lifecycle controller reads to keep it Ready. */
  private void renewLease() {
    try {
      ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
      Lease lease = client.leases().inNamespace(NODE_LEASE_NAMESPACE).withName(settings.nodeName()).get();
      if (lease == null) {
        client.leases().inNamespace(NODE_LEASE_NAMESPACE).resource(new LeaseBuilder()
            .withNewMetadata().withName(settings.nodeName()).withNamespace(NODE_LEASE_NAMESPACE)
              .addNewOwnerReference().withApiVersion("v1").withKind("Node").withName(settings.nodeName())
                .withUid(nodeUid).endOwnerReference()
            .endMetadata()
            .withNewSpec().withHolderIdentity(settings.nodeName()).withLeaseDurationSeconds(LEASE_SECONDS)
              .withRenewTime(now).endSpec()
            .build()).create();
      } else {
        lease.getSpec().setRenewTime(now);
        client.leases().inNamespace(NODE_LEASE_NAMESPACE).resource(lease).update();
      }
    } catch (KubernetesClientException e) {
      // The API server restarting, or a conflict with our own last renewal: the next one retries.
      LOG.debug("node {}: lease renewal failed: {}", settings.nodeName(), e.getMessage());
    }
  }

  // ---- pods ---------------------------------------------------------------------------------

  /** A pod this node runs, and what its status says. */
  private final class RunningPod {
    final Pod pod;
    final String uid;
    final String ns;
    final String name;
    final boolean server;
    final int gpus;
    final Map<String, ContainerStatus> init = new LinkedHashMap<>();
    final Map<String, ContainerStatus> main = new LinkedHashMap<>();
    final Map<String, Instant> startedAt = new ConcurrentHashMap<>();
    final String startTime = now();
    volatile String phase = "Pending";
    volatile boolean initialized;
    volatile boolean ready;
    volatile boolean finished;
    volatile boolean deleting;
    volatile String simulated;

    RunningPod(Pod pod) {
      this.pod = pod;
      this.uid = pod.getMetadata().getUid();
      this.ns = pod.getMetadata().getNamespace();
      this.name = pod.getMetadata().getName();
      this.server = "Always".equals(pod.getSpec().getRestartPolicy());
      this.gpus = gpusOf(pod);
      this.initialized = pod.getSpec().getInitContainers().isEmpty();
      for (Container c : pod.getSpec().getInitContainers()) {
        init.put(c.getName(), waiting(c, "PodInitializing", null));
      }
      for (Container c : pod.getSpec().getContainers()) {
        main.put(c.getName(), waiting(c, initialized ? "ContainerCreating" : "PodInitializing", null));
      }
    }

    Container container(String containerName) {
      for (Container c : pod.getSpec().getInitContainers()) {
        if (c.getName().equals(containerName)) {
          return c;
        }
      }
      return pod.getSpec().getContainers().stream().filter(c -> c.getName().equals(containerName))
          .findFirst().orElse(null);
    }

    Map<String, ContainerStatus> statuses(String containerName) {
      return init.containsKey(containerName) ? init : main;
    }
  }

  private void sync(Pod pod) {
    if (pod.getSpec() == null || !settings.nodeName().equals(pod.getSpec().getNodeName())) {
      return;
    }
    String uid = pod.getMetadata().getUid();
    RunningPod known = pods.get(uid);
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      finishDeletion(pod, known);
      return;
    }
    if (known != null) {
      return;
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return;
    }
    if (ranBefore(pod) && !"Always".equals(pod.getSpec().getRestartPolicy())) {
      lost(pod);
      return;
    }
    RunningPod running = new RunningPod(pod);
    if (pods.putIfAbsent(uid, running) == null) {
      admit(running);
    }
  }

  /** True when a container of the pod ran already: on this agent before it restarted. */
  private static boolean ranBefore(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null
        && pod.getStatus().getContainerStatuses().stream().anyMatch(cs -> cs.getState() != null
            && (cs.getState().getRunning() != null || cs.getState().getTerminated() != null));
  }

  /**
   * A pod whose containers died with an earlier agent process: reported as the kubelet reports
   * containers it cannot find any more (pkg/kubelet/status: ContainerStatusUnknown, exit 137).
   */
  private void lost(Pod pod) {
    RunningPod r = new RunningPod(pod);
    String now = now();
    for (Container c : pod.getSpec().getContainers()) {
      r.main.put(c.getName(), terminatedStatus(c, 137, "ContainerStatusUnknown",
          "The container could not be located when the pod was terminated", now, now));
    }
    r.phase = "Failed";
    r.finished = true;
    r.initialized = true;
    writeStatus(r);
  }

  private void admit(RunningPod r) {
    int inUse = pods.values().stream().filter(p -> p != r && !p.finished && !p.deleting).mapToInt(p -> p.gpus).sum();
    if (r.gpus > 0 && inUse + r.gpus > settings.gpus()) {
      // What the kubelet's device manager answers when the scheduler's view was stale.
      r.phase = "Failed";
      r.finished = true;
      writeStatus(r, "UnexpectedAdmissionError", "Allocate failed due to requested number of devices unavailable for "
          + settings.gpuResource() + ". Requested: " + r.gpus + ", Available: " + Math.max(0, settings.gpus() - inUse)
          + ", which is unexpected");
      return;
    }
    Optional<String> configError;
    PodRunner.Volumes volumes;
    try {
      configError = missingReference(r);
      volumes = configError.isPresent() ? null : mount(r);
    } catch (KubernetesClientException | IllegalStateException e) {
      // The kubelet mounts a pod's volumes before any container starts and retries a mount that
      // fails (event FailedMount, pkg/kubelet/volumemanager): an API server that is away for a
      // moment delays the pod, it does not fail it.
      LOG.info("pod {}/{}: volumes not mounted yet ({}); retrying", r.ns, r.name, e.getMessage());
      runner.after(r.uid, MOUNT_RETRY, () -> {
        if (!r.deleting) {
          admit(r);
        }
      });
      return;
    }
    if (configError.isPresent()) {
      // CreateContainerConfigError: the kubelet keeps trying until the Secret or key appears.
      Container first = r.pod.getSpec().getContainers().get(0);
      r.main.put(first.getName(), waiting(first, "CreateContainerConfigError", configError.get()));
      writeStatus(r);
      runner.after(r.uid, Duration.ofSeconds(5), () -> {
        if (!r.deleting) {
          admit(r);
        }
      });
      return;
    }
    writeStatus(r);
    if (r.server) {
      startServer(r, volumes);
    } else {
      runner.run(new PodRunner.PodToRun(r.uid, r.ns, r.name, stageOf(r.pod), r.pod.getSpec(), volumes),
          listener(r));
    }
  }

  private static StageName stageOf(Pod pod) {
    String stage = pod.getMetadata().getLabels() == null ? null
        : pod.getMetadata().getLabels().get(PodRunner.STAGE_LABEL);
    if (stage == null) {
      return null;
    }
    try {
      return StageName.of(stage);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private PodRunner.Listener listener(RunningPod r) {
    return new PodRunner.Listener() {
      @Override
      public void started(String container) {
        if (r.deleting) {
          return;
        }
        Container c = r.container(container);
        Instant at = Instant.now();
        r.startedAt.put(container, at);
        boolean isInit = r.init.containsKey(container);
        r.statuses(container).put(container, new ContainerStatusBuilder(base(c))
            .withStarted(true).withReady(!isInit)
            .withState(new ContainerStateBuilder().withNewRunning().withStartedAt(RFC3339.format(at)).endRunning()
                .build()).build());
        if (!isInit) {
          r.initialized = true;
          r.phase = "Running";
          r.ready = true;
        }
        writeStatus(r);
      }

      @Override
      public void log(String container, String line) {
        logs.open(r.ns, r.name, container).append(line);
      }

      @Override
      public void terminated(String container, StageOutcome outcome) {
        if (r.deleting) {
          return;
        }
        Container c = r.container(container);
        String finished = now();
        Instant started = r.startedAt.getOrDefault(container, Instant.now());
        r.statuses(container).put(container, terminatedStatus(c, outcome.exitCode(), outcome.reason(),
            terminationMessage(r, c, outcome), RFC3339.format(started), finished));
        logs.open(r.ns, r.name, container).end();
        if (outcome.exitCode() == 0 && r.init.containsKey(container)
            && r.init.values().stream().allMatch(s -> s.getState().getTerminated() != null)) {
          r.initialized = true;
          for (Container m : r.pod.getSpec().getContainers()) {
            r.main.put(m.getName(), waiting(m, "ContainerCreating", null));
          }
        }
        writeStatus(r);
      }

      @Override
      public void finished(StageOutcome outcome) {
        if (r.deleting) {
          return;
        }
        r.phase = outcome.succeeded() ? "Succeeded" : "Failed";
        r.ready = false;
        r.finished = true;
        writeStatus(r);
        if (outcome.succeeded()) {
          Map<String, String> labels = r.pod.getMetadata().getLabels() == null ? Map.of() : r.pod.getMetadata().getLabels();
          timeline.succeeded(labels.get(FineflowLabels.RUN), labels.get(FineflowLabels.STAGE));
        }
      }
    };
  }

  /**
   * The message of a terminated container: its termination-message file (here the outcome's
   * message, what the program wrote), at most 4 KiB; with {@code FallbackToLogsOnError}, a failed
   * container that wrote none gets its last 80 log lines, at most 2 KiB
   * (kubernetes/pkg/kubelet/kuberuntime, {@code getTerminationMessage}).
   */
  private String terminationMessage(RunningPod r, Container c, StageOutcome outcome) {
    String message = outcome.terminationMessage() == null ? "" : outcome.terminationMessage();
    if (message.isEmpty() && outcome.exitCode() != 0 && "FallbackToLogsOnError".equals(c.getTerminationMessagePolicy())) {
      List<ContainerLogs.Line> lines = logs.open(r.ns, r.name, c.getName()).from(0);
      StringBuilder tail = new StringBuilder();
      for (ContainerLogs.Line l : lines.subList(Math.max(0, lines.size() - FALLBACK_LINES), lines.size())) {
        tail.append(l.text()).append('\n');
      }
      return lastBytes(tail.toString(), FALLBACK_BYTES);
    }
    return lastBytes(message, MESSAGE_LIMIT);
  }

  private static String lastBytes(String text, int limit) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= limit) {
      return text;
    }
    return new String(bytes, bytes.length - limit, limit, StandardCharsets.UTF_8);
  }

  private void startServer(RunningPod r, PodRunner.Volumes volumes) {
    Container c = r.pod.getSpec().getContainers().get(0);
    Map<String, String> labels = r.pod.getMetadata().getLabels() == null ? Map.of() : r.pod.getMetadata().getLabels();
    Optional<String> error;
    try {
      error = runner.startServer(r.ns, r.name, labels, r.pod.getSpec(), volumes);
    } catch (RuntimeException e) {
      error = Optional.of("container error: " + e);
    }
    ContainerLogs.Log log = logs.open(r.ns, r.name, c.getName());
    if (error.isPresent()) {
      // restartPolicy Always: a program that cannot start is restarted with a back-off, and the
      // pod shows CrashLoopBackOff with the start error as the last state.
      log.append(error.get());
      String now = now();
      r.main.put(c.getName(), new ContainerStatusBuilder(base(c)).withRestartCount(1)
          .withState(new ContainerStateBuilder().withNewWaiting().withReason("CrashLoopBackOff")
              .withMessage("back-off 10s restarting failed container=" + c.getName() + " pod=" + r.name + "_" + r.ns
                  + "(" + r.uid + ")").endWaiting().build())
          .withLastState(new ContainerStateBuilder().withNewTerminated().withExitCode(PodRunner.START_ERROR_EXIT)
              .withReason(PodRunner.START_ERROR).withMessage(error.get()).withStartedAt(now).withFinishedAt(now)
              .endTerminated().build())
          .build());
      r.phase = "Running";
      writeStatus(r);
      return;
    }
    String url = runner.servers().url(r.ns, r.name).orElse("?");
    log.append("[simulated] model server of pod " + r.name + " answers on " + url);
    r.simulated = "true";
    Instant at = Instant.now();
    r.startedAt.put(c.getName(), at);
    r.main.put(c.getName(), new ContainerStatusBuilder(base(c)).withStarted(true).withReady(false)
        .withState(new ContainerStateBuilder().withNewRunning().withStartedAt(RFC3339.format(at)).endRunning().build())
        .build());
    r.phase = "Running";
    r.initialized = true;
    writeStatus(r);
    probe(r, c, url, true);
  }

  /**
   * The readiness probe, for real against the simulated server (its HTTP path), on the probe's
   * own schedule divided by the stack's speed, like the simulated stages' durations.
   */
  private void probe(RunningPod r, Container c, String url, boolean first) {
    Probe p = c.getReadinessProbe();
    if (p == null || p.getHttpGet() == null) {
      markReady(r, c);
      return;
    }
    int seconds = first ? orDefault(p.getInitialDelaySeconds(), 0) : orDefault(p.getPeriodSeconds(), 10);
    runner.after(r.uid, Duration.ofMillis((long) (seconds * 1000 / speed)), () -> {
      if (r.deleting) {
        return;
      }
      try {
        HttpResponse<Void> answer = probes.send(HttpRequest.newBuilder(URI.create(url + p.getHttpGet().getPath()))
            .timeout(Duration.ofSeconds(orDefault(p.getTimeoutSeconds(), 1))).GET().build(),
            HttpResponse.BodyHandlers.discarding());
        if (answer.statusCode() >= 200 && answer.statusCode() < 400) {
          markReady(r, c);
          return;
        }
      } catch (java.io.IOException e) {
        // Not answering yet.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      probe(r, c, url, false);
    });
  }

  private void markReady(RunningPod r, Container c) {
    ContainerStatus s = r.main.get(c.getName());
    r.main.put(c.getName(), new ContainerStatusBuilder(s).withReady(true).build());
    r.ready = true;
    writeStatus(r);
  }

  private static int orDefault(Integer value, int fallback) {
    return value == null ? fallback : value;
  }

  /**
   * A pod being deleted (by its controller, garbage collection, a Job deadline or a user): the
   * kubelet stops its containers and then removes the pod with grace period 0.
   */
  private void finishDeletion(Pod pod, RunningPod r) {
    if (r != null && !r.deleting) {
      r.deleting = true;
      runner.cancel(r.uid);
      if (r.server) {
        runner.servers().stop(r.ns, r.name);
      }
      if (!r.finished) {
        String now = now();
        for (Container c : pod.getSpec().getContainers()) {
          ContainerStatus s = r.main.get(c.getName());
          if (s != null && s.getState() != null && s.getState().getRunning() != null) {
            r.main.put(c.getName(), terminatedStatus(c, SIGTERM_EXIT, "Error", "", s.getState().getRunning().getStartedAt(), now));
          }
        }
        r.ready = false;
        r.finished = true;
        if (!r.server) {
          r.phase = "Failed";
        }
        writeStatus(r);
      }
    }
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .withGracePeriod(0).delete();
    } catch (KubernetesClientException e) {
      LOG.debug("pod {} could not be deleted yet: {}", pod.getMetadata().getName(), e.getMessage());
    }
  }

  private void forget(Pod pod) {
    RunningPod r = pods.remove(pod.getMetadata().getUid());
    if (r != null) {
      runner.cancel(r.uid);
      if (r.server) {
        runner.servers().stop(r.ns, r.name);
      }
    }
    logs.remove(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
  }

  private void writeStatus(RunningPod r) {
    writeStatus(r, null, null);
  }

  /** A strategic-merge patch of pods/status: conditions and container statuses merge by key. */
  private synchronized void writeStatus(RunningPod r, String reason, String message) {
    String now = now();
    boolean done = r.finished;
    List<PodCondition> conditions = new ArrayList<>();
    conditions.add(condition("PodReadyToStartContainers", done ? "False" : "True", null, now));
    conditions.add(condition("Initialized", r.initialized ? "True" : "False",
        r.initialized ? null : "ContainersNotInitialized", now));
    String readyReason = done ? "PodCompleted" : r.ready ? null : "ContainersNotReady";
    conditions.add(condition("ContainersReady", r.ready && !done ? "True" : "False", readyReason, now));
    conditions.add(condition("Ready", r.ready && !done ? "True" : "False", readyReason, now));
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("phase", r.phase);
    status.put("conditions", conditions);
    status.put("hostIP", "127.0.0.1");
    status.put("hostIPs", List.of(Map.of("ip", "127.0.0.1")));
    status.put("startTime", r.startTime);
    if (reason != null) {
      status.put("reason", reason);
      status.put("message", message);
    }
    if (!r.init.isEmpty()) {
      status.put("initContainerStatuses", new ArrayList<>(r.init.values()));
    }
    status.put("containerStatuses", new ArrayList<>(r.main.values()));
    Map<String, Object> patch = new LinkedHashMap<>();
    if (r.simulated != null) {
      // Through pods/status, as NodeRestriction lets a node change annotations but not labels.
      patch.put("metadata", Map.of("annotations", Map.of(SimulatedKubelet.SIMULATED_ANNOTATION, r.simulated)));
    }
    patch.put("status", status);
    try {
      client.pods().inNamespace(r.ns).withName(r.name).subresource("status")
          .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), Serialization.asJson(patch));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return;
      }
      // The API server is away (restarting): the next change, or the resync, writes it again.
      LOG.warn("node {}: status of pod {}/{} not written: {}", settings.nodeName(), r.ns, r.name, e.getMessage());
      runner.after(r.uid + "/status", Duration.ofSeconds(2), () -> writeStatus(r, reason, message));
    }
  }

  private static PodCondition condition(String type, String status, String reason, String now) {
    return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason)
        .withLastTransitionTime(now).build();
  }

  private static ContainerStatus base(Container c) {
    return new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage()).withImageID("")
        .withContainerID("fineflow-dev://" + UUID.randomUUID()).withRestartCount(0).withReady(false)
        .withStarted(false).build();
  }

  private static ContainerStatus waiting(Container c, String reason, String message) {
    return new ContainerStatusBuilder(base(c)).withContainerID(null)
        .withState(new ContainerStateBuilder().withNewWaiting().withReason(reason).withMessage(message)
            .endWaiting().build())
        .build();
  }

  private static ContainerStatus terminatedStatus(Container c, int exitCode, String reason, String message,
      String startedAt, String finishedAt) {
    ContainerState state = new ContainerStateBuilder().withNewTerminated().withExitCode(exitCode).withReason(reason)
        .withMessage(message == null || message.isEmpty() ? null : message)
        .withStartedAt(startedAt).withFinishedAt(finishedAt).endTerminated().build();
    return new ContainerStatusBuilder(base(c)).withState(state).build();
  }

  private int gpusOf(Pod pod) {
    int total = 0;
    for (Container c : pod.getSpec().getContainers()) {
      if (c.getResources() != null && c.getResources().getLimits() != null) {
        Quantity q = c.getResources().getLimits().get(settings.gpuResource());
        if (q != null) {
          total += q.getNumericalAmount().intValue();
        }
      }
    }
    return total;
  }

  /**
   * The first Secret or ConfigMap (key) a container's environment needs and cannot have, read
   * as the node (the Node authorizer allows exactly the ones its pods reference).
   */
  private Optional<String> missingReference(RunningPod r) {
    for (Container c : r.pod.getSpec().getContainers()) {
      for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
        if (e.getValueFrom() == null) {
          continue;
        }
        var secret = e.getValueFrom().getSecretKeyRef();
        if (secret != null && !Boolean.TRUE.equals(secret.getOptional())) {
          var s = client.secrets().inNamespace(r.ns).withName(secret.getName()).get();
          if (s == null) {
            return Optional.of("secret \"" + secret.getName() + "\" not found");
          }
          boolean has = (s.getData() != null && s.getData().containsKey(secret.getKey()))
              || (s.getStringData() != null && s.getStringData().containsKey(secret.getKey()));
          if (!has) {
            return Optional.of("couldn't find key " + secret.getKey() + " in Secret " + r.ns + "/" + secret.getName());
          }
        }
        var cm = e.getValueFrom().getConfigMapKeyRef();
        if (cm != null && !Boolean.TRUE.equals(cm.getOptional())) {
          ConfigMap m = client.configMaps().inNamespace(r.ns).withName(cm.getName()).get();
          if (m == null) {
            return Optional.of("configmap \"" + cm.getName() + "\" not found");
          }
          if (m.getData() == null || !m.getData().containsKey(cm.getKey())) {
            return Optional.of("couldn't find key " + cm.getKey() + " in ConfigMap " + r.ns + "/" + cm.getName());
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Mounts the pod's volumes on this node before its containers start: each claim's directory
   * from its bound PersistentVolume, each ConfigMap as it is now. Throws while one cannot be read
   * (the caller retries), so that a running container never waits on the API server for its files.
   */
  private PodRunner.Volumes mount(RunningPod r) {
    Map<String, Path> claims = new LinkedHashMap<>();
    Map<String, Optional<ConfigMap>> configMaps = new LinkedHashMap<>();
    for (var v : r.pod.getSpec().getVolumes() == null ? List.<io.fabric8.kubernetes.api.model.Volume>of()
        : r.pod.getSpec().getVolumes()) {
      if (v.getPersistentVolumeClaim() != null) {
        String claim = v.getPersistentVolumeClaim().getClaimName();
        claims.computeIfAbsent(claim, c -> claimPath(r.ns, c));
      } else if (v.getConfigMap() != null) {
        String name = v.getConfigMap().getName();
        configMaps.computeIfAbsent(name, n -> Optional.ofNullable(client.configMaps().inNamespace(r.ns).withName(n).get()));
      }
    }
    return new PodRunner.Volumes() {
      @Override
      public Path claim(String claimName) {
        Path path = claims.get(claimName);
        if (path == null) {
          throw new IllegalArgumentException("claim " + claimName + " is no volume of pod " + r.ns + "/" + r.name);
        }
        return path;
      }

      @Override
      public Optional<ConfigMap> configMap(String name) {
        return configMaps.getOrDefault(name, Optional.empty());
      }
    };
  }

  private Path claimPath(String ns, String claimName) {
    PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(ns).withName(claimName).get();
    if (pvc == null || pvc.getSpec().getVolumeName() == null || pvc.getSpec().getVolumeName().isEmpty()) {
      throw new IllegalStateException("PersistentVolumeClaim " + ns + "/" + claimName + " is not bound");
    }
    PersistentVolume pv = client.persistentVolumes().withName(pvc.getSpec().getVolumeName()).get();
    String path = pv == null ? null : pv.getSpec().getHostPath() != null ? pv.getSpec().getHostPath().getPath()
        : pv.getSpec().getLocal() != null ? pv.getSpec().getLocal().getPath() : null;
    if (path == null) {
      throw new IllegalStateException("PersistentVolume " + pvc.getSpec().getVolumeName()
          + " is neither hostPath nor local: the dev node mounts no other kind");
    }
    return Path.of(path);
  }

  // ---- the kubelet endpoint -----------------------------------------------------------------

  /** SubjectAccessReview for {@code nodes/proxy} of this node, as the kubelet's webhook authorizer. */
  private boolean authorizes(String user, List<String> groups) {
    return authorized.computeIfAbsent(user + "|" + String.join(",", groups), k -> {
      SubjectAccessReview review = client.authorization().v1().subjectAccessReview().create(
          new SubjectAccessReviewBuilder().withNewSpec().withUser(user).withGroups(groups)
              .withNewResourceAttributes().withVerb("get").withResource("nodes").withSubresource("proxy")
                .withName(settings.nodeName()).endResourceAttributes()
              .endSpec().build());
      return review.getStatus() != null && Boolean.TRUE.equals(review.getStatus().getAllowed());
    });
  }

  /** The kubelet's answers (pkg/kubelet/server/server.go getContainerLogs, kubelet_pods.go). */
  private KubeletServer.LogAnswer findLog(String namespace, String podName, String container) {
    RunningPod r = pods.values().stream().filter(p -> p.ns.equals(namespace) && p.name.equals(podName))
        .findFirst().orElse(null);
    if (r == null) {
      return KubeletServer.LogAnswer.error(404, "pod \"" + podName + "\" does not exist");
    }
    if (r.container(container) == null) {
      return KubeletServer.LogAnswer.error(404, "container \"" + container + "\" not found in pod \"" + podName + "\"");
    }
    ContainerStatus s = r.statuses(container).get(container);
    boolean ran = s != null && s.getState() != null
        && (s.getState().getRunning() != null || s.getState().getTerminated() != null
            || s.getLastState() != null && s.getLastState().getTerminated() != null);
    if (!ran) {
      String reason = s == null || s.getState() == null || s.getState().getWaiting() == null ? "ContainerCreating"
          : s.getState().getWaiting().getReason();
      return KubeletServer.LogAnswer.error(400, "container \"" + container + "\" in pod \"" + podName
          + "\" is waiting to start: " + reason);
    }
    return KubeletServer.LogAnswer.of(logs.open(namespace, podName, container));
  }

  private static String now() {
    return RFC3339.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    heartbeat.shutdownNow();
    runner.close();
    if (kubelet != null) {
      kubelet.close();
    }
    client.close();
  }
}
