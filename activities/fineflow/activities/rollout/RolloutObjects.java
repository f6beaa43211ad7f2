package fineflow.activities.rollout;

import fineflow.activities.kubernetes.FineflowLabels;
import fineflow.activities.kubernetes.PodSecurity;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.plan.Resources;
import fineflow.workflows.plan.RolloutTarget;
import fineflow.workflows.plan.SecretEnv;
import fineflow.workflows.plan.ServingEndpoint;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.plan.VolumeMount;
import fineflow.workflows.spec.ClusterSpec;
import fineflow.workflows.spec.ServingBackend;
import fineflow.workflows.spec.TolerationSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Kubernetes objects of one server revision: a Deployment, its Service and, when the stage
 * has files (trtllm-serve's {@code extra_llm_api_options}), the ConfigMap they are mounted from. Built with Fabric8's
 * builders from the rollout stage; the planner's argv is checked, never rewritten.
 *
 * @param templateHash sha256 of the pod template and replica count: equal hash = nothing to apply
 * @param files the ConfigMap of the stage's mounted files (trtllm-serve's extra options), or null
 */
public record RolloutObjects(
    String name, String revision, RolloutTarget target, Deployment deployment, Service service,
    ConfigMap files, String templateHash) {

  public static final String LABEL_NAME = "app.kubernetes.io/name";
  public static final String LABEL_INSTANCE = "app.kubernetes.io/instance";
  public static final String LABEL_RUN = "fineflow.dev/run";
  public static final String LABEL_REVISION = "fineflow.dev/revision";
  public static final String LABEL_TRACK = "fineflow.dev/track";
  public static final String TRACK_CANDIDATE = "candidate";
  public static final String TRACK_STABLE = "stable";
  /** The comparison server of the benchmark: never promoted. */
  public static final String TRACK_BASELINE = "baseline";
  public static final String LABEL_STAGE = "fineflow.dev/stage";
  public static final String ANNOTATION_CACHE_KEY = "fineflow.dev/cache-key";
  /** The ConfigMap of a revision's mounted files is {@code <name>-files}. */
  public static final String FILES_SUFFIX = "-files";
  public static final String ANNOTATION_HASH = "fineflow.dev/template-hash";
  public static final String ANNOTATION_APPLIED_AT = "fineflow.dev/applied-at";
  public static final String ANNOTATION_SPEC_DIGEST = "fineflow.dev/spec-digest";
  static final String FLASHINFER_CACHE = "/root/.cache/flashinfer";

  /** Builds the objects; throws {@link IllegalArgumentException} for a stage that cannot run. */
  public static RolloutObjects of(LaunchRequest request, KubernetesSerialization json) {
    Stage stage = request.stage();
    RolloutTarget target = RolloutTarget.of(stage);
    Map<String, String> files = stage.files();
    if (!stage.imageCopies().isEmpty()) {
      throw new IllegalArgumentException("rollout stage " + stage.name() + " has image copies "
          + stage.imageCopies() + ", which only Job stages support");
    }
    checkArgv(stage.argv(), target, files);
    String revision = stage.shortKey();
    String name = ServingEndpoint.serviceName(target.app(), stage);
    Map<String, String> podLabels = podLabels(target, stage, revision);
    Map<String, String> labels = new LinkedHashMap<>(podLabels);
    // Shared by every run of the same key (the name is the key's): each run is a user label, never
    // the single run label, which the run's cleanup deletes by (issue 13, item 2).
    labels.put(FineflowLabels.userLabel(FineflowLabels.runValue(request.runId())), "true");
    labels.put(LABEL_TRACK, track(stage));
    ConfigMap filesMap = files.isEmpty() ? null : new ConfigMapBuilder()
        .withNewMetadata().withName(name + FILES_SUFFIX).withLabels(labels).endMetadata()
        .withData(fileData(files)).build();
    PodTemplateSpec template = podTemplate(stage, request.cluster(), target, podLabels, filesMap, files);
    String hash = sha256(json.asJson(template) + "\nreplicas=" + target.replicas()
        + "\nfiles=" + json.asJson(new TreeMap<>(files)));
    Deployment deployment = new DeploymentBuilder()
        .withNewMetadata().withName(name).withLabels(labels)
          .addToAnnotations(ANNOTATION_HASH, hash)
          .addToAnnotations(ANNOTATION_SPEC_DIGEST, request.specDigest() == null ? "" : request.specDigest())
          .addToAnnotations(ANNOTATION_CACHE_KEY, stage.cacheKey())
        .endMetadata()
        .withNewSpec()
          .withReplicas(target.replicas())
          .withNewSelector().withMatchLabels(selector(target.app(), revision)).endSelector()
          // Recreate: an in-place change must free the GPU before the new pod can get it.
          .withNewStrategy().withType("Recreate").endStrategy()
          .withTemplate(template)
        .endSpec()
        .build();
    Service service = service(name, target, labels, selector(target.app(), revision));
    return new RolloutObjects(name, revision, target, deployment, service, filesMap, hash);
  }

  /** The stable Service: the app's name, made a DNS-1035 label (a Service name starts with a letter). */
  public static String stableServiceName(String app) {
    return Character.isLetter(app.charAt(0)) ? app : ("ff-" + app).substring(0, Math.min(63, app.length() + 3));
  }

  /** The rollout stage's server competes for the stable Service; any other (baseline) never does. */
  static String track(Stage stage) {
    return stage.name() == StageName.ROLLOUT ? TRACK_CANDIDATE : TRACK_BASELINE;
  }

  static Map<String, String> selector(String app, String revision) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put(LABEL_INSTANCE, app);
    s.put(LABEL_REVISION, revision);
    return s;
  }

  /**
   * Pod labels carry no run id and no track: both change without the pods changing (a later run
   * adopting the same revision, a promotion), and a pod template change would restart the server.
   */
  private static Map<String, String> podLabels(RolloutTarget target, Stage stage, String revision) {
    Map<String, String> l = new LinkedHashMap<>();
    l.put(LABEL_NAME, target.backend().wireName());
    l.put(LABEL_INSTANCE, target.app());
    l.put(LABEL_STAGE, stage.name().id());
    l.put("app.kubernetes.io/component", "model-server");
    l.put("app.kubernetes.io/part-of", "fineflow");
    l.put("app.kubernetes.io/managed-by", "fineflow");
    l.put(LABEL_REVISION, revision);
    return l;
  }

  static Service service(String name, RolloutTarget target, Map<String, String> labels,
      Map<String, String> selector) {
    return new ServiceBuilder()
        .withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .withNewSpec().withType("ClusterIP").withSelector(selector).withPorts(servicePorts(target.backend()))
        .endSpec().build();
  }

  static List<ServicePort> servicePorts(ServingBackend backend) {
    List<ServicePort> ports = new ArrayList<>();
    for (ContainerPort p : containerPorts(backend)) {
      ports.add(new ServicePortBuilder().withName(p.getName()).withPort(p.getContainerPort())
          .withTargetPort(new IntOrString(p.getName())).withProtocol("TCP").build());
    }
    return ports;
  }

  private static List<ContainerPort> containerPorts(ServingBackend backend) {
    List<ContainerPort> ports = new ArrayList<>();
    ports.add(new ContainerPortBuilder().withName("http").withContainerPort(ServingEndpoint.HTTP_PORT).build());
    if (backend == ServingBackend.TRITON) {
      ports.add(new ContainerPortBuilder().withName("grpc").withContainerPort(ServingEndpoint.GRPC_PORT).build());
      ports.add(new ContainerPortBuilder().withName("metrics").withContainerPort(ServingEndpoint.METRICS_PORT).build());
    }
    return ports;
  }

  static String readinessPath(ServingBackend backend) {
    return backend == ServingBackend.TRITON ? "/v2/health/ready" : "/health";
  }

  private static void checkArgv(List<String> argv, RolloutTarget target, Map<String, String> files) {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("rollout stage has an empty argv");
    }
    switch (target.backend()) {
      case TRITON -> {
        // The batch size is not compared here: the argv and the target are rendered from the
        // same engine.maxBatchSize; what Triton serves is checked on the server (SmokeTest reads
        // the tensorrt_llm config's max_batch_size).
        if (!argv.get(0).equals("tritonserver") && !argv.get(0).equals("mpirun")) {
          throw new IllegalArgumentException("triton argv must run tritonserver in the foreground"
              + " (directly, or one MPI rank per GPU under mpirun), not " + argv.get(0) + ": " + argv);
        }
      }
      case TRTLLM_SERVE -> {
        int host = argv.indexOf("--host");
        if (host < 0 || host + 1 >= argv.size() || argv.get(host + 1).startsWith("localhost")
            || argv.get(host + 1).startsWith("127.")) {
          throw new IllegalArgumentException("trtllm-serve argv must contain --host 0.0.0.0: it"
              + " listens on localhost by default, unreachable through the Service: " + argv);
        }
        int opt = argv.indexOf("--extra_llm_api_options");
        if (opt >= 0 && (opt + 1 >= argv.size() || !files.containsKey(argv.get(opt + 1)))) {
          throw new IllegalArgumentException("trtllm-serve argv reads --extra_llm_api_options "
              + (opt + 1 < argv.size() ? argv.get(opt + 1) : "(no path)") + " but the stage mounts "
              + (files.isEmpty() ? "no files" : files.keySet()) + ": " + argv);
        }
        if (opt < 0 && files.containsKey(ServingEndpoint.EXTRA_OPTIONS_PATH)) {
          throw new IllegalArgumentException("serving.extraOptions are set but the trtllm-serve argv"
              + " lacks --extra_llm_api_options " + ServingEndpoint.EXTRA_OPTIONS_PATH + ": " + argv);
        }
      }
      case VLLM -> {
        // vllm serve listens on 0.0.0.0:8000 by default; nothing to check.
      }
      default -> throw new IllegalArgumentException("unknown backend " + target.backend());
    }
  }

  /** ConfigMap keys are file names; the path's last segment, made a valid key. */
  static String fileKey(String path) {
    return path.substring(path.lastIndexOf('/') + 1).replaceAll("[^-._a-zA-Z0-9]", "_");
  }

  private static Map<String, String> fileData(Map<String, String> files) {
    Map<String, String> data = new TreeMap<>();
    files.forEach((path, content) -> data.put(fileKey(path), content));
    return data;
  }

  private static PodTemplateSpec podTemplate(Stage stage, ClusterSpec cluster, RolloutTarget target,
      Map<String, String> labels, ConfigMap filesMap, Map<String, String> files) {
    List<Volume> volumes = new ArrayList<>();
    List<io.fabric8.kubernetes.api.model.VolumeMount> mounts = new ArrayList<>();
    if (!stage.volumes().isEmpty()) {
      volumes.add(new VolumeBuilder().withName("workspace").withNewPersistentVolumeClaim()
          .withClaimName(cluster.workspacePvc()).withReadOnly(true).endPersistentVolumeClaim().build());
      for (VolumeMount v : stage.volumes()) {
        // A server only reads: the engine and adapters are content-addressed cache entries
        // that other runs share, so they are always mounted read-only.
        mounts.add(new VolumeMountBuilder().withName("workspace").withSubPath(v.subPath())
            .withMountPath(v.mountPath()).withReadOnly(true).build());
      }
    }
    // Triton and vLLM move tensors through shared memory; the container default of 64 MiB fails.
    volumes.add(new VolumeBuilder().withName("dshm").withNewEmptyDir().withMedium("Memory").endEmptyDir().build());
    mounts.add(new VolumeMountBuilder().withName("dshm").withMountPath("/dev/shm").build());
    if (target.backend() == ServingBackend.TRTLLM_SERVE) {
      // A start interrupted while JIT-compiling leaves ~/.cache/flashinfer half-written and the
      // next start hangs on it (docs/manual-procedure.md "trtllm-serve"); an emptyDir is fresh for
      // every pod.
      volumes.add(new VolumeBuilder().withName("flashinfer-cache").withNewEmptyDir().endEmptyDir().build());
      mounts.add(new VolumeMountBuilder().withName("flashinfer-cache").withMountPath(FLASHINFER_CACHE).build());
    }
    if (filesMap != null) {
      volumes.add(new VolumeBuilder().withName("files").withNewConfigMap()
          .withName(filesMap.getMetadata().getName()).endConfigMap().build());
      new TreeMap<>(files).keySet().forEach(path -> mounts.add(new VolumeMountBuilder().withName("files")
          .withMountPath(path).withSubPath(fileKey(path)).withReadOnly(true).build()));
    }
    Container container = new ContainerBuilder()
        .withName("server")
        .withImage(stage.image())
        .withCommand(stage.argv())
        .withEnv(env(stage))
        .withPorts(containerPorts(target.backend()))
        .withReadinessProbe(readiness(target.backend()))
        .withResources(resources(stage.resources()))
        .withVolumeMounts(mounts)
        .withSecurityContext(PodSecurity.container(false))
        .build();
    return new PodTemplateSpecBuilder()
        .withNewMetadata().withLabels(labels).endMetadata()
        .withNewSpec()
          .withSecurityContext(PodSecurity.pod())
          .withContainers(container)
          .withVolumes(volumes)
          .withServiceAccountName(cluster.serviceAccount())
          .withNodeSelector(cluster.nodeSelector().isEmpty() ? null : cluster.nodeSelector())
          .withTolerations(tolerations(cluster.tolerations()))
          .withImagePullSecrets(cluster.imagePullSecrets().stream().map(LocalObjectReference::new).toList())
        .endSpec()
        .build();
  }

  /**
   * Readiness only, no liveness probe: engine loading takes minutes, and a liveness probe that
   * kills a loading server turns a slow start into a crash loop.
   */
  private static Probe readiness(ServingBackend backend) {
    return new ProbeBuilder().withNewHttpGet().withPath(readinessPath(backend))
        .withPort(new IntOrString("http")).endHttpGet()
        .withInitialDelaySeconds(10).withPeriodSeconds(5).withTimeoutSeconds(3).withFailureThreshold(3)
        .build();
  }

  private static List<EnvVar> env(Stage stage) {
    List<EnvVar> env = new ArrayList<>();
    stage.env().entrySet().stream()
        .filter(e -> !e.getKey().startsWith(RolloutTarget.PREFIX))
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> env.add(new EnvVar(e.getKey(), e.getValue(), null)));
    for (SecretEnv s : stage.secretEnv()) {
      env.add(new EnvVarBuilder().withName(s.name()).withNewValueFrom().withNewSecretKeyRef()
          .withName(s.secretName()).withKey(s.key()).endSecretKeyRef().endValueFrom().build());
    }
    return env;
  }

  private static ResourceRequirements resources(Resources r) {
    ResourceRequirementsBuilder b = new ResourceRequirementsBuilder();
    if (r == null) {
      return b.build();
    }
    if (r.gpus() > 0) {
      b.addToLimits(r.gpuResource(), new Quantity(Integer.toString(r.gpus())));
    }
    if (r.cpu() != null) {
      b.addToRequests("cpu", new Quantity(r.cpu()));
    }
    if (r.memory() != null) {
      b.addToRequests("memory", new Quantity(r.memory()));
      b.addToLimits("memory", new Quantity(r.memory()));
    }
    return b.build();
  }

  private static List<Toleration> tolerations(List<TolerationSpec> specs) {
    return specs.stream().map(t -> new TolerationBuilder().withKey(t.key()).withOperator(t.operator())
        .withValue(t.value()).withEffect(t.effect()).build()).toList();
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
