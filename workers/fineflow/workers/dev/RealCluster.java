package fineflow.workers.dev;

import fineflow.activities.kubernetes.FineflowLabels;
import fineflow.activities.kubernetes.ProgramsConfigMap;
import fineflow.workers.engines.EngineBinaries;
import fineflow.workers.engines.KubeControlPlane;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real Kubernetes of a dev stack ({@code --engines real}): the control plane
 * ({@link KubeControlPlane}), the shipped {@code k8s/} manifests applied as a user would apply
 * them (namespace with Pod Security "restricted", ServiceAccounts, the Role and its binding, the
 * workspace claim, the NetworkPolicy; not the worker Deployment, since the worker runs in this
 * JVM), the workspace directory as the PersistentVolume that claim binds to, the programs
 * ConfigMap the worker writes at start, and the {@link NodeAgent} with the simulated GPUs. The
 * worker talks to the API server as the ServiceAccount {@code fineflow-worker}, with a token from
 * the TokenRequest API: RBAC is exactly {@code k8s/role.yaml}.
 */
public final class RealCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RealCluster.class);
  /** The shipped manifests this stack applies, in order (k8s/deployment.yaml is the worker itself). */
  static final List<String> MANIFESTS = List.of("namespace.yaml", "serviceaccount.yaml", "role.yaml",
      "rolebinding.yaml", "pvc.yaml", "networkpolicy.yaml");
  public static final String WORKER_SERVICE_ACCOUNT = "fineflow-worker";
  private static final String FIELD_MANAGER = "fineflow-dev";
  private static final Duration BIND_TIMEOUT = Duration.ofMinutes(2);

  private final KubeControlPlane plane;
  private final NodeAgent node;
  private final KubernetesClient worker;
  private final String namespace;
  private final ApiRecorder recorder;

  private RealCluster(KubeControlPlane plane, NodeAgent node, KubernetesClient worker, String namespace,
      ApiRecorder recorder) {
    this.recorder = recorder;
    this.plane = plane;
    this.node = node;
    this.worker = worker;
    this.namespace = namespace;
  }

  /**
   * Starts the control plane under {@code options.kubernetesDirectory()}, sets the namespace up
   * and joins the node agent.
   *
   * @param servers where the node agent's model servers answer (the worker's smoke tests find them there)
   */
  public static RealCluster start(DevOptions options, Path workspace, ModelServers servers) {
    KubeControlPlane plane;
    try {
      plane = KubeControlPlane.start(EngineBinaries.fromEnvironment(), options.kubernetesDirectory());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the Kubernetes control plane", e);
    }
    NodeAgent node = null;
    KubernetesClient worker = null;
    ApiRecorder recorder;
    try {
      String ns = options.namespace();
      Instant begin = Instant.now();
      try (KubernetesClient admin = plane.adminClient()) {
        List<HasMetadata> manifests = manifestsIn(ns);
        PersistentVolumeClaim claim = manifests.stream().filter(PersistentVolumeClaim.class::isInstance)
            .map(PersistentVolumeClaim.class::cast).filter(c -> c.getMetadata().getName().equals(WORKSPACE_CLAIM))
            .findFirst().orElseThrow(() -> new IllegalStateException("k8s/pvc.yaml has no " + WORKSPACE_CLAIM));
        // Bound from both sides (the volume's claimRef, the claim's volumeName, no class): the
        // binder binds them at once instead of at its next periodic pass (15 s measured).
        PersistentVolume volume = workspaceVolume(ns, workspace, claim);
        claim.getSpec().setVolumeName(volume.getMetadata().getName());
        claim.getSpec().setStorageClassName("");
        admin.resource(volume).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        for (HasMetadata o : manifests) {
          admin.resource(o).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        }
        Instant applied = Instant.now();
        awaitBound(admin, ns);
        LOG.info("k8s/ applied in {} ms; workspace claim bound {} ms later", Duration.between(begin, applied).toMillis(),
            Duration.between(applied, Instant.now()).toMillis());
      }
      node = NodeAgent.start(plane.nodeCredentials(NodeAgent.Settings.DEFAULT_NAME),
          NodeAgent.Settings.gpuNode(options.gpus()), workspace, options, servers);
      recorder = new ApiRecorder(node.timeline());
      ApiRecorder workerRecorder = recorder;
      // The worker's requests are counted and its Job and Deployment POSTs timed at the client.
      worker = new KubernetesClientBuilder()
          .withConfig(plane.serviceAccountConfig(ns, WORKER_SERVICE_ACCOUNT))
          .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("fineflow-api-recorder", workerRecorder))
          .build();
      // What the worker does at start (WorkerCommand), as the worker: the Role allows it.
      ProgramsConfigMap.apply(worker, ns, ProgramsConfigMap.fromClasspath());
      return new RealCluster(plane, node, worker, ns, recorder);
    } catch (RuntimeException e) {
      if (worker != null) {
        worker.close();
      }
      if (node != null) {
        node.close();
      }
      plane.close();
      throw e;
    }
  }

  /** The claim of k8s/pvc.yaml, which every stage mounts at /workspace. */
  static final String WORKSPACE_CLAIM = "fineflow-workspace";

  /**
   * The workspace directory as a hostPath PersistentVolume bound to the workspace claim: on one
   * node, the directory is what a ReadWriteMany file share is on a cluster.
   */
  private static PersistentVolume workspaceVolume(String ns, Path workspace, PersistentVolumeClaim claim) {
    Quantity size = claim.getSpec().getResources().getRequests().get("storage");
    return new PersistentVolumeBuilder()
        .withNewMetadata().withName(WORKSPACE_CLAIM + "-" + ns)
          .addToLabels(FineflowLabels.MANAGED_BY, FineflowLabels.FINEFLOW).endMetadata()
        .withNewSpec()
          .withCapacity(Map.of("storage", size))
          .withAccessModes(claim.getSpec().getAccessModes())
          .withVolumeMode("Filesystem")
          .withPersistentVolumeReclaimPolicy("Retain")
          .withStorageClassName("")
          .withNewHostPath().withPath(workspace.toAbsolutePath().toString()).withType("Directory").endHostPath()
          .withNewClaimRef().withNamespace(ns).withName(WORKSPACE_CLAIM).endClaimRef()
        .endSpec()
        .build();
  }

  private static void awaitBound(KubernetesClient admin, String ns) {
    Instant deadline = Instant.now().plus(BIND_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      PersistentVolumeClaim claim = admin.persistentVolumeClaims().inNamespace(ns).withName(WORKSPACE_CLAIM).get();
      if (claim != null && claim.getStatus() != null && "Bound".equals(claim.getStatus().getPhase())) {
        return;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the workspace claim", e);
      }
    }
    throw new IllegalStateException("PersistentVolumeClaim " + ns + "/" + WORKSPACE_CLAIM + " was not bound within "
        + BIND_TIMEOUT.toSeconds() + " s; see " + LOG.getName() + " and the controller-manager log");
  }

  /** The shipped manifests, moved to namespace {@code ns} (the Namespace renamed, the binding's subject too). */
  static List<HasMetadata> manifestsIn(String ns) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String file : MANIFESTS) {
      for (HasMetadata o : parse(resource("/k8s/" + file))) {
        if (o instanceof Namespace) {
          o.getMetadata().setName(ns);
        } else {
          o.getMetadata().setNamespace(ns);
        }
        if (o instanceof RoleBinding binding) {
          binding.getSubjects().forEach(s -> s.setNamespace(ns));
        }
        objects.add(o);
      }
    }
    return objects;
  }

  private static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (!doc.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
        objects.add(Serialization.unmarshal(doc, HasMetadata.class));
      }
    }
    return objects;
  }

  private static String resource(String name) {
    try (InputStream in = RealCluster.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the fineflow jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public KubeControlPlane controlPlane() {
    return plane;
  }

  public NodeAgent node() {
    return node;
  }

  /** The worker's client: the ServiceAccount of k8s/, its token renewed through TokenRequest. */
  public KubernetesClient workerClient() {
    return worker;
  }

  public String namespace() {
    return namespace;
  }

  /** The worker client's requests by "VERB resource", counted at the client. */
  public Map<String, Long> requestCounts() {
    return recorder.requestCounts();
  }

  /**
   * Stage starts (the worker's POSTs, timed at its client) and ends (the node agent's Succeeded
   * status writes, timed in-process).
   */
  public StageTimeline timeline() {
    return node.timeline();
  }

  /**
   * A client as the worker's ServiceAccount whose requests are counted into {@code recorder}
   * and timed into its timeline (the benchmark's Kubernetes floor), or not at all when null.
   */
  public KubernetesClient serviceAccountClient(ApiRecorder recorder) {
    KubernetesClientBuilder b = new KubernetesClientBuilder().withConfig(plane.serviceAccountConfig(namespace,
        WORKER_SERVICE_ACCOUNT));
    if (recorder != null) {
      b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("fineflow-api-recorder", recorder));
    }
    return b.build();
  }

  @Override
  public void close() {
    worker.close();
    node.close();
    plane.close();
  }
}
