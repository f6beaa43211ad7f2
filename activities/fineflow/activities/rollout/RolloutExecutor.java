package fineflow.activities.rollout;

import fineflow.activities.kubernetes.FailureClassifier;
import fineflow.activities.kubernetes.FineflowLabels;
import fineflow.activities.kubernetes.Promotion;
import fineflow.activities.kubernetes.SharedServer;
import fineflow.activities.kubernetes.StageExecutor;
import fineflow.workflows.contract.AwaitRequest;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.contract.LaunchResult;
import fineflow.workflows.contract.StageFailure;
import fineflow.workflows.contract.StageProgress;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.RolloutParams;
import fineflow.workflows.plan.RolloutTarget;
import fineflow.workflows.plan.ServingEndpoint;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageKind;
import fineflow.workflows.spec.ClusterSpec;
import fineflow.workflows.spec.ServingBackend;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import okhttp3.OkHttpClient;

/**
 * Rolls out a model server as a candidate Deployment + Service next to the stable one, waits
 * until it is ready, smoke-tests it over HTTP and, unless an SLO gate waits for the benchmark,
 * promotes it by pointing the stable Service at the candidate's revision. Any failure deletes
 * the candidate only: whatever the stable Service selects keeps serving.
 */
public final class RolloutExecutor implements StageExecutor, Promotion {


  static final int LOG_LINES = 50;
  private final FailureClassifier classifier = new FailureClassifier();

  private final KubernetesClient client;
  private final String defaultNamespace;
  private final SmokeTest smokeTest;
  private final Function<Service, String> baseUrl;
  private final Clock clock;

  /**
   * @param baseUrl where the smoke test reaches a candidate Service; the cluster DNS name by
   *     default, a local address in tests and the embedded dev stack
   */
  public RolloutExecutor(KubernetesClient client, String defaultNamespace, SmokeTest smokeTest,
      Function<Service, String> baseUrl, Clock clock) {
    this.client = client;
    this.defaultNamespace = defaultNamespace;
    this.smokeTest = smokeTest;
    this.baseUrl = baseUrl;
    this.clock = clock;
  }

  public RolloutExecutor(KubernetesClient client, String defaultNamespace) {
    this(client, defaultNamespace,
        new SmokeTest(new OkHttpClient.Builder().callTimeout(Duration.ofMinutes(2)).build()),
        RolloutExecutor::clusterDns, Clock.systemUTC());
  }

  /** {@code http://NAME.NAMESPACE.svc:8000}: reachable from a worker running in the cluster. */
  public static String clusterDns(Service service) {
    return "http://" + service.getMetadata().getName() + "." + service.getMetadata().getNamespace()
        + ".svc:" + ServingEndpoint.HTTP_PORT;
  }

  @Override
  public StageKind kind() {
    return StageKind.DEPLOYMENT;
  }

  @Override
  public LaunchResult launch(LaunchRequest request) {
    String ns = namespace(request.namespace());
    RolloutObjects objects;
    try {
      objects = RolloutObjects.of(request, client.getKubernetesSerialization());
    } catch (IllegalArgumentException e) {
      throw failure(FailureType.BAD_ARGUMENTS, request.stage(), e.getMessage(),
          "fix the serving section of the spec (the planner built this rollout stage)", List.of());
    }
    String user = FineflowLabels.userLabel(FineflowLabels.runValue(request.runId()));
    try {
      applyFiles(ns, objects, user);
      boolean adopted = applyDeployment(ns, objects, user);
      ensureService(ns, objects.service(), user);
      return new LaunchResult(objects.name(), adopted);
    } catch (SharedServer.Releasing releasing) {
      // Its last user marked it and deletes it now; should that delete have been lost, this
      // one finishes it (a released object has no user). The retried launch creates it anew.
      finishReleases(ns, objects.name());
      throw ApplicationFailure.newFailure(releasing.getMessage(), FailureType.TRANSIENT.type());
    }
  }

  private void applyFiles(String ns, RolloutObjects objects, String user) {
    if (objects.files() == null) {
      return;
    }
    var files = client.configMaps().inNamespace(ns).withName(objects.files().getMetadata().getName());
    if (files.get() == null) {
      client.configMaps().inNamespace(ns).resource(objects.files()).create();
      return;
    }
    SharedServer.join(files, user, c -> {
      // The other runs that share the files stay their users.
      c.getMetadata().getLabels().putAll(objects.files().getMetadata().getLabels());
      c.setData(objects.files().getData());
      return c;
    });
  }

  private void finishReleases(String ns, String name) {
    for (var resource : List.of(client.apps().deployments().inNamespace(ns).withName(name),
        client.services().inNamespace(ns).withName(name),
        client.configMaps().inNamespace(ns).withName(name + RolloutObjects.FILES_SUFFIX))) {
      HasMetadata item = resource.get();
      if (item != null && item.getMetadata().getDeletionTimestamp() == null && SharedServer.released(item)) {
        SharedServer.finishRelease(resource);
      }
    }
  }

  /** True when the same revision with the same pod template already existed (nothing changed). */
  private boolean applyDeployment(String ns, RolloutObjects objects, String user) {
    var resource = client.apps().deployments().inNamespace(ns).withName(objects.name());
    Deployment existing = resource.get();
    if (existing == null) {
      Deployment d = objects.deployment();
      d.getMetadata().getAnnotations().put(RolloutObjects.ANNOTATION_APPLIED_AT, clock.instant().toString());
      client.apps().deployments().inNamespace(ns).resource(d).create();
      return false;
    }
    if (SharedServer.released(existing)) {
      throw new SharedServer.Releasing(existing);
    }
    String hash = existing.getMetadata().getAnnotations() == null ? null
        : existing.getMetadata().getAnnotations().get(RolloutObjects.ANNOTATION_HASH);
    if (objects.templateHash().equals(hash)) {
      if (!existing.getMetadata().getLabels().containsKey(user)) {
        // Another run serves the same revision: join it as one more user; labels only, the pods
        // stay, and the other runs' user labels stay with them.
        SharedServer.join(resource, user, d -> d);
      }
      return true;
    }
    SharedServer.join(resource, user, d -> {
      d.getMetadata().getAnnotations().putAll(objects.deployment().getMetadata().getAnnotations());
      d.getMetadata().getAnnotations().put(RolloutObjects.ANNOTATION_APPLIED_AT, clock.instant().toString());
      d.setSpec(objects.deployment().getSpec());
      return d;
    });
    return false;
  }

  /** The user labels among {@code labels}: the runs that share a server. */
  static Map<String, String> users(Map<String, String> labels) {
    return SharedServer.users(labels);
  }

  private void ensureService(String ns, Service desired, String user) {
    var resource = client.services().inNamespace(ns).withName(desired.getMetadata().getName());
    Service existing = resource.get();
    if (existing == null) {
      client.services().inNamespace(ns).resource(desired).create();
      return;
    }
    if (SharedServer.released(existing)) {
      throw new SharedServer.Releasing(existing);
    }
    if (Objects.equals(existing.getSpec().getSelector(), desired.getSpec().getSelector())
        && Objects.equals(existing.getMetadata().getLabels(), merged(existing, desired))) {
      return;
    }
    SharedServer.join(resource, user, s -> {
      // The other runs that share this Service stay its users: merged from the object as read.
      s.getMetadata().setLabels(merged(s, desired));
      s.getSpec().setSelector(desired.getSpec().getSelector());
      s.getSpec().setPorts(desired.getSpec().getPorts());
      return s;
    });
  }

  private static Map<String, String> merged(Service have, Service desired) {
    Map<String, String> labels = new LinkedHashMap<>(users(have.getMetadata().getLabels()));
    labels.putAll(desired.getMetadata().getLabels());
    return labels;
  }

  @Override
  public StageResult await(AwaitRequest request) {
    String ns = namespace(request.namespace());
    Stage stage = request.stage();
    RolloutTarget target = RolloutTarget.of(stage);
    String name = request.objectName();
    Deployment d = client.apps().deployments().inNamespace(ns).withName(name).get();
    if (d == null) {
      throw failure(FailureType.STAGE_FAILED, stage, "candidate Deployment " + ns + "/" + name
          + " is gone (rolled back or deleted by hand)", "resume the run to roll out again", List.of());
    }
    String revision = d.getMetadata().getLabels().get(RolloutObjects.LABEL_REVISION);
    List<Pod> pods = client.pods().inNamespace(ns)
        .withLabels(RolloutObjects.selector(target.app(), revision)).list().getItems();
    String podName = pods.isEmpty() ? null : pods.get(0).getMetadata().getName();
    if (!available(d)) {
      checkPods(ns, d, stage, pods, request.cluster(), request.runId());
      checkTimeout(ns, d, stage, pods, request.runId());
      throw ApplicationFailure.newFailure("waiting for " + name + " to become ready",
          FailureType.STILL_RUNNING.type(), new StageProgress(pods.isEmpty() ? "Pending" : "Starting",
              podName, readyLine(d, pods)));
    }
    Service service = client.services().inNamespace(ns).withName(name).get();
    if (service == null) {
      throw failure(FailureType.STAGE_FAILED, stage, "candidate Service " + ns + "/" + name + " is gone",
          "resume the run to roll out again", List.of());
    }
    SmokeReport smoke;
    try {
      smoke = smokeTest.run(baseUrl.apply(service), target,
          stage.params() instanceof RolloutParams p ? p.servedMaxBatchSize() : null);
    } catch (SmokeTestException e) {
      List<String> logs = serverLog(ns, podName);
      rollback(ns, name, target.app(), request.runId());
      throw failure(FailureType.SMOKE_TEST_FAILED, stage, "smoke test of " + name + " failed: "
          + e.getMessage() + "; rolled back, the stable Service is unchanged",
          "read the server log below; fix the spec and resume", logs);
    }
    boolean promoted = false;
    if (!target.gated() && RolloutObjects.TRACK_CANDIDATE.equals(RolloutObjects.track(stage))) {
      promote(ns, request.runId(), revision);
      promoted = true;
    }
    return result(stage, name, podName, revision, target, smoke, service, promoted, smoke.simulated());
  }

  private static StageResult result(Stage stage, String name, String podName, String revision,
      RolloutTarget target, SmokeReport smoke, Service service, boolean promoted, boolean simulated) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("smokeBaseMillis", (double) smoke.baseMillis());
    if (smoke.adapterOutput() != null) {
      metrics.put("smokeAdapterMillis", (double) smoke.adapterMillis());
    }
    if (smoke.servedMaxBatchSize() != null) {
      metrics.put("servedMaxBatchSize", smoke.servedMaxBatchSize().doubleValue());
    }
    Map<String, String> info = new LinkedHashMap<>();
    info.put("backend", target.backend().wireName());
    info.put("revision", revision);
    info.put("service", service.getMetadata().getName());
    info.put("stableService", RolloutObjects.stableServiceName(target.app()));
    // What `fineflow chat RUN` needs to talk to this server without flags.
    info.put("url", smoke.baseUrl());
    info.put("servedModel", target.servedModel());
    if (target.adapterName() != null) {
      info.put("adapterName", target.adapterName());
    }
    if (target.adapterPath() != null) {
      info.put("adapterPath", target.adapterPath());
    }
    if (target.loraTaskId() != null) {
      info.put("loraTaskId", target.loraTaskId().toString());
    }
    info.put("promoted", Boolean.toString(promoted));
    info.put("smokeBaseOutput", abbreviate(smoke.baseOutput()));
    if (smoke.adapterOutput() != null) {
      info.put("smokeAdapterOutput", abbreviate(smoke.adapterOutput()));
    }
    return new StageResult(stage.name(), stage.cacheKey(), name, podName, List.of(), metrics, info, simulated);
  }

  private static boolean available(Deployment d) {
    int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    if (d.getStatus() == null) {
      return false;
    }
    // After an in-place update the status still describes the old pods until observed.
    Long generation = d.getMetadata().getGeneration();
    Long observed = d.getStatus().getObservedGeneration();
    if (generation != null && observed != null && observed < generation) {
      return false;
    }
    Integer have = d.getStatus().getAvailableReplicas();
    return have != null && have >= want;
  }

  /**
   * A pod that cannot pull its image, lacks a Secret, was OOMKilled, stays unschedulable or keeps
   * crashing will not become ready by waiting. All but the crash loop (Jobs never restart) are
   * the Jobs' rules: one {@link FailureClassifier} for both.
   */
  private void checkPods(String ns, Deployment d, Stage stage, List<Pod> pods, ClusterSpec cluster,
      String runId) {
    for (Pod pod : pods) {
      Optional<FailureClassifier.Verdict> verdict = classifier.classifyServerPod(pod, clock.instant(), cluster);
      if (verdict.isPresent()) {
        List<String> logs = serverLog(ns, pod.getMetadata().getName());
        rollback(ns, d.getMetadata().getName(), d.getMetadata().getLabels().get(RolloutObjects.LABEL_INSTANCE),
            runId);
        throw failure(verdict.get().type(), stage, verdict.get().message() + "; rolled back",
            verdict.get().hint(), logs);
      }
      if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
        continue;
      }
      for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
        String waiting = cs.getState() != null && cs.getState().getWaiting() != null
            ? cs.getState().getWaiting().getReason() : null;
        if ("CrashLoopBackOff".equals(waiting)) {
          List<String> logs = serverLog(ns, pod.getMetadata().getName());
          rollback(ns, d.getMetadata().getName(), d.getMetadata().getLabels().get(RolloutObjects.LABEL_INSTANCE),
            runId);
          throw failure(FailureType.STAGE_FAILED, stage, "the server in " + pod.getMetadata().getName()
              + " keeps crashing (restarted " + cs.getRestartCount() + " times); rolled back",
              "read the server log below", logs);
        }
      }
    }
  }

  private void checkTimeout(String ns, Deployment d, Stage stage, List<Pod> pods, String runId) {
    String podName = pods.isEmpty() ? null : pods.get(0).getMetadata().getName();
    Map<String, String> ann = d.getMetadata().getAnnotations();
    String applied = ann == null ? null : ann.get(RolloutObjects.ANNOTATION_APPLIED_AT);
    if (applied == null || stage.timeoutSeconds() <= 0) {
      return;
    }
    Duration waited = Duration.between(Instant.parse(applied), clock.instant());
    if (waited.getSeconds() > stage.timeoutSeconds()) {
      List<String> logs = serverLog(ns, podName);
      rollback(ns, d.getMetadata().getName(), d.getMetadata().getLabels().get(RolloutObjects.LABEL_INSTANCE),
            runId);
      String unschedulable = unschedulable(pods);
      throw failure(unschedulable != null ? FailureType.UNSCHEDULABLE : FailureType.STAGE_FAILED, stage,
          d.getMetadata().getName() + " was not ready after " + waited.getSeconds() + " s (timeout "
              + stage.timeoutSeconds() + " s)" + (unschedulable != null ? ": " + unschedulable : "")
              + "; rolled back",
          unschedulable != null ? "free a GPU (the stable server holds one) or add a node"
              : "read the server log below (engine_dir, LoRA modules and dtypes are the usual causes);"
                  + " a server that needs longer to load: raise cluster.stageTimeoutSeconds." + stage.name().id(), logs);
    }
  }

  /** The scheduler's reason when a pod never got a node (e.g. no free GPU), else null. */
  private static String unschedulable(List<Pod> pods) {
    for (Pod pod : pods) {
      if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
        continue;
      }
      for (var c : pod.getStatus().getConditions()) {
        if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())) {
          return "pod " + pod.getMetadata().getName() + " is unschedulable: " + c.getMessage();
        }
      }
    }
    return null;
  }

  private static String readyLine(Deployment d, List<Pod> pods) {
    int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    Integer have = d.getStatus() == null ? null : d.getStatus().getAvailableReplicas();
    String phase = pods.isEmpty() || pods.get(0).getStatus() == null ? "no pod yet"
        : "pod " + pods.get(0).getMetadata().getName() + " " + pods.get(0).getStatus().getPhase();
    return (have == null ? 0 : have) + "/" + want + " replicas ready; " + phase;
  }

  /** Promotes with the executor's default namespace. */
  public String promote(String runId, String revision) {
    return promote(defaultNamespace, runId, revision);
  }

  /**
   * Points the stable Service at the candidate revision, marks that Deployment stable and
   * deletes the previously stable one. Idempotent. Returns the stable Service's name.
   */
  @Override
  public String promote(String namespace, String runId, String revision) {
    String ns = namespace(namespace);
    List<Deployment> found = client.apps().deployments().inNamespace(ns)
        .withLabel(FineflowLabels.userLabel(FineflowLabels.runValue(runId)))
        .withLabel(RolloutObjects.LABEL_REVISION, revision)
        .withoutLabel(RolloutObjects.LABEL_TRACK, RolloutObjects.TRACK_BASELINE)
        .list().getItems();
    if (found.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure("no Deployment of run " + runId + " has revision "
          + revision + " in namespace " + ns, FailureType.STAGE_FAILED.type());
    }
    Deployment candidate = found.get(0);
    String name = candidate.getMetadata().getName();
    String app = candidate.getMetadata().getLabels().get(RolloutObjects.LABEL_INSTANCE);
    Service candidateService = client.services().inNamespace(ns).withName(name).get();
    Map<String, String> labels = new LinkedHashMap<>(candidate.getMetadata().getLabels());
    labels.put(RolloutObjects.LABEL_TRACK, RolloutObjects.TRACK_STABLE);
    Service stable = new io.fabric8.kubernetes.api.model.ServiceBuilder()
        .withNewMetadata().withName(RolloutObjects.stableServiceName(app)).withLabels(labels).endMetadata()
        .withNewSpec().withType("ClusterIP").withSelector(RolloutObjects.selector(app, revision))
        .withPorts(candidateService != null ? candidateService.getSpec().getPorts()
            : RolloutObjects.servicePorts(backendOf(candidate)))
        .endSpec().build();
    ensureService(ns, stable, FineflowLabels.userLabel(FineflowLabels.runValue(runId)));
    if (!RolloutObjects.TRACK_STABLE.equals(candidate.getMetadata().getLabels().get(RolloutObjects.LABEL_TRACK))) {
      client.apps().deployments().inNamespace(ns).withName(name).edit(d -> {
        d.getMetadata().getLabels().put(RolloutObjects.LABEL_TRACK, RolloutObjects.TRACK_STABLE);
        return d;
      });
      // The stable server's files must survive the run's cleanup, which keeps only stable objects.
      if (client.configMaps().inNamespace(ns).withName(name + RolloutObjects.FILES_SUFFIX).get() != null) {
        client.configMaps().inNamespace(ns).withName(name + RolloutObjects.FILES_SUFFIX).edit(c -> {
          c.getMetadata().getLabels().put(RolloutObjects.LABEL_TRACK, RolloutObjects.TRACK_STABLE);
          return c;
        });
      }
    }
    for (Deployment old : client.apps().deployments().inNamespace(ns)
        .withLabel(RolloutObjects.LABEL_INSTANCE, app)
        .withLabel(RolloutObjects.LABEL_TRACK, RolloutObjects.TRACK_STABLE).list().getItems()) {
      if (!old.getMetadata().getName().equals(name)) {
        deleteRevision(ns, old.getMetadata().getName());
      }
    }
    return RolloutObjects.stableServiceName(app);
  }

  private static ServingBackend backendOf(Deployment d) {
    String wire = d.getMetadata().getLabels().get(RolloutObjects.LABEL_NAME);
    return Arrays.stream(ServingBackend.values()).filter(b -> b.wireName().equals(wire)).findFirst()
        .orElse(ServingBackend.TRITON);
  }

  /**
   * The run leaves a failed candidate (Deployment, Service, files ConfigMap) unless it is what
   * the stable Service serves: a re-applied stable revision that fails its smoke test keeps
   * serving. Its last user deletes it; another run of the same key still awaiting or
   * benchmarking it keeps it ({@link SharedServer}), and its own checks decide for it.
   */
  void rollback(String ns, String name, String app, String runId) {
    Service stable = app == null ? null
        : client.services().inNamespace(ns).withName(RolloutObjects.stableServiceName(app)).get();
    Deployment d = client.apps().deployments().inNamespace(ns).withName(name).get();
    if (stable != null && d != null && stable.getSpec().getSelector() != null
        && Objects.equals(stable.getSpec().getSelector().get(RolloutObjects.LABEL_REVISION),
            d.getMetadata().getLabels().get(RolloutObjects.LABEL_REVISION))) {
      return;
    }
    String run = FineflowLabels.runValue(runId);
    String user = FineflowLabels.userLabel(run);
    SharedServer.leave(client.apps().deployments().inNamespace(ns).withName(name), user, run, x -> false);
    SharedServer.leave(client.services().inNamespace(ns).withName(name), user, run, x -> false);
    SharedServer.leave(client.configMaps().inNamespace(ns).withName(name + RolloutObjects.FILES_SUFFIX), user,
        run, x -> false);
  }

  /**
   * Deletes the candidate and baseline servers a run left behind (cancel/abort); the stable
   * revision stays.
   */
  public List<String> removeCandidates(String namespace, String runId) {
    String ns = namespace(namespace);
    String user = FineflowLabels.userLabel(FineflowLabels.runValue(runId));
    List<String> deleted = new ArrayList<>();
    for (Deployment d : client.apps().deployments().inNamespace(ns).withLabel(user)
        .withoutLabel(RolloutObjects.LABEL_TRACK, RolloutObjects.TRACK_STABLE).list().getItems()) {
      String name = d.getMetadata().getName();
      // Another run still waits on or benchmarks against this server: it leaves when they do.
      if (SharedServer.leave(client.apps().deployments().inNamespace(ns).withName(name), user,
          FineflowLabels.runValue(runId), x -> false)) {
        deleteRevision(ns, name);
        deleted.add("Deployment/" + name);
      }
    }
    return deleted;
  }

  private void deleteRevision(String ns, String name) {
    client.apps().deployments().inNamespace(ns).withName(name).delete();
    client.services().inNamespace(ns).withName(name).delete();
    client.configMaps().inNamespace(ns).withName(name + RolloutObjects.FILES_SUFFIX).delete();
  }

  /** The server's last log lines, or a line saying why there are none. */
  private List<String> serverLog(String ns, String podName) {
    if (podName == null) {
      return List.of("(no server pod was created)");
    }
    try {
      String log = client.pods().inNamespace(ns).withName(podName).withReadyWaitTimeout(0)
          .tailingLines(LOG_LINES).getLog();
      return log == null || log.isEmpty() ? List.of("(the server log of " + podName + " is empty)")
          : Arrays.asList(log.split("\\R"));
    } catch (KubernetesClientException e) {
      return List.of("(log of " + podName + " unavailable: " + e.getMessage() + ")");
    }
  }

  private String namespace(String requested) {
    return requested == null || requested.isBlank() ? defaultNamespace : requested;
  }

  private static ApplicationFailure failure(FailureType type, Stage stage, String message, String hint,
      List<String> logTail) {
    return ApplicationFailure.newNonRetryableFailure(message, type.type(),
        new StageFailure(stage.name().id(), type.type(), message, hint, logTail));
  }

  private static String abbreviate(String s) {
    return s == null || s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}
