package fineflow.activities.kubernetes;

import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.plan.ImageCopy;
import fineflow.workflows.plan.Programs;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.VolumeMount;
import fineflow.workflows.spec.ClusterSpec;
import fineflow.workflows.spec.TolerationSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the batch/v1 Job of a stage. Pure: the same objects are created by {@link JobExecutor}
 * and printed by {@code fineflow plan --output k8s}.
 *
 * <p>Identity: every stage pod runs as uid and gid {@value #STAGE_UID} with fsGroup
 * {@value #STAGE_UID}, whatever its image, so that what one stage writes on the workspace the next
 * can read and extend (fineflow's image is built with that uid; NGC images run under any uid).
 *
 * <p>Workspace: the PVC is mounted writable at {@value #WORKSPACE_PATH}, and the plan's read-only
 * sub-paths (the consumed stages' outputs) are mounted read-only over it. Writable sub-paths
 * under {@value #WORKSPACE_PATH} are not mounted as sub-paths: the kubelet would create a missing
 * one owned by root (kubernetes/kubernetes#41638), which a non-root stage cannot write into; the
 * stage creates its own output directory instead, at the same path.
 *
 * <p>Security, decided per image (both satisfy the Pod Security "restricted" profile):
 * <ul>
 *   <li>fineflow's own image (dataset-prep, triton-repo): a read-only root file system, since its
 *       Java code writes only to the workspace and /tmp;</li>
 *   <li>NVIDIA images (PyTorch, TensorRT-LLM, Triton): a writable root file system, since
 *       PyTorch, Triton kernels and TensorRT write caches under the home directory and
 *       site-packages; {@code HOME=/tmp} unless the stage sets it, because the uid has no home
 *       directory in those images.</li>
 * </ul>
 * Every container drops all capabilities, forbids privilege escalation and gets an emptyDir at
 * {@code /tmp}; stage pods get no service-account token (they never call the API).
 *
 * <p>Every container's {@code command} is the stage's whole argv and {@code args} is unset, so an
 * image's ENTRYPOINT and CMD never compose with it (the Kubernetes rule: a set command replaces
 * both). The programs ConfigMap is mounted at {@value Programs#DIR}, where no image keeps files.
 * A stage's {@link ImageCopy image copies} become init containers that fill an emptyDir.
 */
public final class JobFactory {
  public static final String WORKSPACE_VOLUME = "workspace";
  public static final String PROGRAMS_VOLUME = "programs";
  public static final String PROGRAMS_CONFIG_MAP = Programs.CONFIG_MAP;
  public static final String PROGRAMS_PATH = Programs.DIR;
  public static final String WORKSPACE_PATH = "/workspace";
  public static final String TERMINATION_LOG = "/dev/termination-log";
  static final long STAGE_UID = PodSecurity.UID;

  /**
   * The Job of one launch of a stage, in {@code request.namespace()} (omitted when null).
   *
   * @throws IllegalArgumentException for a stage a Job cannot run
   */
  public Job job(LaunchRequest request) {
    Stage stage = request.stage();
    if (!stage.files().isEmpty()) {
      // Only rollout stages mount planner-written files (from a ConfigMap their executor owns).
      throw new IllegalArgumentException("stage " + stage.name() + " has mounted files "
          + stage.files().keySet() + ", which Job stages do not support");
    }
    ClusterSpec cluster = request.cluster();
    String stageId = stage.name().id();
    String name = JobName.of(request.runId(), stageId, request.launch());
    Map<String, String> labels =
        FineflowLabels.forStage(FineflowLabels.runValue(request.runId()), stageId, request.launch());
    Map<String, String> jobLabels = new TreeMap<>(labels);
    if (cluster.kueueQueue() != null && !cluster.kueueQueue().isBlank()) {
      jobLabels.put(FineflowLabels.KUEUE_QUEUE, cluster.kueueQueue());
    }
    Map<String, String> annotations = new TreeMap<>();
    annotations.put(FineflowLabels.CACHE_KEY_ANNOTATION, stage.cacheKey());
    if (request.specDigest() != null) {
      annotations.put(FineflowLabels.SPEC_DIGEST_ANNOTATION, request.specDigest());
    }
    return new JobBuilder()
        .withNewMetadata()
          .withName(name)
          .withNamespace(request.namespace())
          .withLabels(jobLabels)
          .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
          .withBackoffLimit(0)
          .withActiveDeadlineSeconds(stage.timeoutSeconds() > 0 ? stage.timeoutSeconds() : null)
          .withTtlSecondsAfterFinished(cluster.ttlSecondsAfterFinished())
          .withNewTemplate()
            .withNewMetadata().withLabels(labels).withAnnotations(annotations).endMetadata()
            .withSpec(podSpec(stage, cluster))
          .endTemplate()
        .endSpec()
        .build();
  }

  /** True for stages that run fineflow's own image (its repository's last segment is fineflow). */
  static boolean runsFineflowImage(Stage stage) {
    String repo = stage.image().split("@")[0];
    int lastSlash = repo.lastIndexOf('/');
    int tag = repo.indexOf(':', lastSlash + 1);
    String last = repo.substring(lastSlash + 1, tag < 0 ? repo.length() : tag);
    return last.equals("fineflow");
  }

  private PodSpec podSpec(Stage stage, ClusterSpec cluster) {
    boolean ownImage = runsFineflowImage(stage);
    PodSpecBuilder spec = new PodSpecBuilder()
        .withRestartPolicy("Never")
        .withServiceAccountName(cluster.serviceAccount())
        .withAutomountServiceAccountToken(false)
        .withSecurityContext(PodSecurity.pod())
        .withInitContainers(stage.imageCopies().stream().map(JobFactory::initContainer).toList())
        .withContainers(container(stage, cluster, ownImage))
        .withVolumes(volumes(stage, cluster));
    cluster.imagePullSecrets().forEach(s -> spec.addToImagePullSecrets(new LocalObjectReference(s)));
    if (stage.usesGpu()) {
      spec.withNodeSelector(cluster.nodeSelector().isEmpty() ? null : new TreeMap<>(cluster.nodeSelector()));
      cluster.tolerations().forEach(t -> spec.addToTolerations(toleration(t)));
    }
    return spec.build();
  }

  private Container container(Stage stage, ClusterSpec cluster, boolean ownImage) {
    ResourceRequirementsBuilder resources = new ResourceRequirementsBuilder();
    if (stage.resources().cpu() != null) {
      resources.addToRequests("cpu", new Quantity(stage.resources().cpu()));
    }
    if (stage.resources().memory() != null) {
      // Limit = request: a stage that outgrows its memory is OOMKilled and classified, instead
      // of starving its neighbours on the GPU node.
      resources.addToRequests("memory", new Quantity(stage.resources().memory()));
      resources.addToLimits("memory", new Quantity(stage.resources().memory()));
    }
    if (stage.usesGpu()) {
      resources.addToLimits(cluster.gpuResource(), new Quantity(Integer.toString(stage.resources().gpus())));
    }
    List<io.fabric8.kubernetes.api.model.VolumeMount> mounts = new ArrayList<>();
    mounts.add(new VolumeMountBuilder().withName(WORKSPACE_VOLUME).withMountPath(WORKSPACE_PATH).build());
    for (VolumeMount v : stage.volumes()) {
      if (!v.readOnly() && coveredByWorkspace(v)) {
        continue;
      }
      mounts.add(new VolumeMountBuilder().withName(WORKSPACE_VOLUME).withMountPath(v.mountPath())
          .withSubPath(v.subPath() == null || v.subPath().isEmpty() ? null : v.subPath())
          .withReadOnly(v.readOnly() ? true : null).build());
    }
    mounts.add(new VolumeMountBuilder().withName(PROGRAMS_VOLUME).withMountPath(PROGRAMS_PATH)
        .withReadOnly(true).build());
    mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
    stage.imageCopies().forEach(c -> mounts.add(copyMount(c)));
    if (stage.argv().isEmpty()) {
      throw new IllegalArgumentException("stage " + stage.name() + " has an empty argv");
    }
    return new ContainerBuilder()
        .withName(stage.name().id())
        .withImage(stage.image())
        .withCommand(stage.argv())
        .withEnv(env(stage, ownImage))
        .withResources(resources.build())
        .withVolumeMounts(mounts)
        .withTerminationMessagePath(TERMINATION_LOG)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withSecurityContext(PodSecurity.container(ownImage))
        .build();
  }

  /**
   * Copies a directory out of another image into the emptyDir the stage's container reads; only
   * the emptyDir and /tmp are mounted, and the command is explicit like the main container's.
   */
  private static Container initContainer(ImageCopy copy) {
    return new ContainerBuilder()
        .withName(copy.name())
        .withImage(copy.image())
        .withCommand(copy.command())
        .withResources(new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity("100m"))
            .addToRequests("memory", new Quantity("128Mi"))
            .addToLimits("memory", new Quantity("128Mi")).build())
        .withVolumeMounts(copyMount(copy),
            new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build())
        .withEnv(new EnvVar("HOME", "/tmp", null))
        .withTerminationMessagePath(TERMINATION_LOG)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withSecurityContext(PodSecurity.container(false))
        .build();
  }

  private static io.fabric8.kubernetes.api.model.VolumeMount copyMount(ImageCopy copy) {
    return new VolumeMountBuilder().withName(copyVolume(copy)).withMountPath(copy.mountPath()).build();
  }

  static String copyVolume(ImageCopy copy) {
    return "copy-" + copy.name();
  }

  /** True when the mount shows the workspace at its own path, which the whole mount does too. */
  private static boolean coveredByWorkspace(VolumeMount v) {
    String sub = v.subPath() == null ? "" : v.subPath().replaceAll("^/+|/+$", "");
    String expected = sub.isEmpty() ? WORKSPACE_PATH : WORKSPACE_PATH + "/" + sub;
    return v.mountPath().replaceAll("/+$", "").equals(expected);
  }

  private static List<EnvVar> env(Stage stage, boolean ownImage) {
    Map<String, String> plain = new TreeMap<>(stage.env());
    if (!ownImage) {
      plain.putIfAbsent("HOME", "/tmp");
    }
    List<EnvVar> env = new ArrayList<>();
    plain.forEach((k, v) -> env.add(new EnvVar(k, v, null)));
    stage.secretEnv().forEach(s -> env.add(new EnvVarBuilder().withName(s.name())
        .withNewValueFrom().withNewSecretKeyRef().withName(s.secretName()).withKey(s.key())
        .endSecretKeyRef().endValueFrom().build()));
    return env;
  }


  private static List<Volume> volumes(Stage stage, ClusterSpec cluster) {
    List<Volume> volumes = new ArrayList<>(List.of(
        new VolumeBuilder().withName(WORKSPACE_VOLUME).withNewPersistentVolumeClaim()
            .withClaimName(cluster.workspacePvc()).endPersistentVolumeClaim().build(),
        new VolumeBuilder().withName(PROGRAMS_VOLUME).withNewConfigMap()
            .withName(PROGRAMS_CONFIG_MAP).withDefaultMode(0444).endConfigMap().build(),
        new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build()));
    stage.imageCopies().forEach(c -> volumes.add(new VolumeBuilder().withName(copyVolume(c))
        .withNewEmptyDir().endEmptyDir().build()));
    return volumes;
  }

  private static Toleration toleration(TolerationSpec t) {
    return new TolerationBuilder().withKey(t.key()).withOperator(t.operator())
        .withValue(t.value()).withEffect(t.effect()).build();
  }
}
