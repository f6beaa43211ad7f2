package fineflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.spec.ClusterSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobFactoryTest {
  private static final String RUN = "elyza-qlora-20261126-0112";
  private final JobFactory factory = new JobFactory();

  @Test
  void namesAreDnsLabelsStablePerLaunchAndDistinctAfterTruncation() {
    String name = JobName.of(RUN, "train", 1);
    String longA = JobName.of("Team_LLM/elyza-7b-qlora-japanese-instructions-v2-2026-11-26T01:12:00Z-a", "checkpoint-convert", 12);
    String longB = JobName.of("Team_LLM/elyza-7b-qlora-japanese-instructions-v2-2026-11-26T01:12:00Z-b", "checkpoint-convert", 12);

    assertThat(name).isEqualTo(JobName.of(RUN, "train", 1)).startsWith(RUN + "-train-1-")
        .isNotEqualTo(JobName.of(RUN, "train", 2));
    assertThat(longA).isNotEqualTo(longB).hasSizeLessThanOrEqualTo(JobName.MAX_LENGTH)
        .endsWith("-checkpoint-convert-12-" + longA.substring(longA.length() - 6));
    for (String n : new String[] {name, longA, longB, JobName.of("___", "train", 1)}) {
      assertThat(n).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?").hasSizeLessThanOrEqualTo(63);
    }
  }

  @Test
  void aGpuStageJobCarriesLabelsLimitsPlacementAndNoRetries() {
    Job job = factory.job(request(TestStages.train(), TestStages.gpuCluster()));
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);

    assertThat(job.getMetadata().getNamespace()).isEqualTo("fineflow");
    assertThat(job.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "app.kubernetes.io/name", "fineflow", "app.kubernetes.io/managed-by", "fineflow",
        "app.kubernetes.io/component", "train", "fineflow.dev/run", RUN, "fineflow.dev/stage", "train",
        "fineflow.dev/launch", "3", "kueue.x-k8s.io/queue-name", "gpu-queue"));
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("fineflow.dev/run", RUN).doesNotContainKey("kueue.x-k8s.io/queue-name");
    assertThat(job.getMetadata().getAnnotations()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "fineflow.dev/cache-key", TestStages.TRAIN_KEY, "fineflow.dev/spec-digest", "d1g35t"));
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(7200L);
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(3600);
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(c.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"))
        .containsEntry("memory", new Quantity("64Gi"));
    assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("8"))
        .containsEntry("memory", new Quantity("64Gi"));
    assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3");
    assertThat(pod.getTolerations()).singleElement().satisfies(t -> {
      assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
      assertThat(t.getOperator()).isEqualTo("Exists");
      assertThat(t.getEffect()).isEqualTo("NoSchedule");
    });
    // command, not args: the image's ENTRYPOINT never composes with the argv.
    assertThat(c.getCommand()).isEqualTo(TestStages.train().argv());
    assertThat(c.getArgs()).isEmpty();
    assertThat(c.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    assertThat(c.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
  }

  @Test
  void theGpuResourceNameComesFromTheClusterSpec() {
    ClusterSpec amd = new ClusterSpec(null, null, null, "amd.com/gpu", null, null, null, null, null, null, null, null,
        null, null, null);

    Container c = factory.job(request(TestStages.train(), amd)).getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(c.getResources().getLimits()).containsKey("amd.com/gpu").doesNotContainKey("nvidia.com/gpu");
  }

  @Test
  void volumesMountTheWorkspaceSubPathsAndTheProgramsReadOnly() {
    PodSpec pod = factory.job(request(TestStages.train(), TestStages.gpuCluster())).getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);

    assertThat(pod.getVolumes()).anySatisfy(v -> {
      assertThat(v.getName()).isEqualTo("workspace");
      assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("fineflow-workspace");
    });
    assertThat(pod.getVolumes()).anySatisfy(v ->
        assertThat(v.getConfigMap()).isNotNull().satisfies(cm -> assertThat(cm.getName()).isEqualTo("fineflow-programs")));
    assertThat(c.getVolumeMounts()).filteredOn(m -> m.getName().equals("workspace"))
        .extracting(m -> m.getMountPath() + " " + m.getSubPath() + " " + m.getReadOnly())
        .containsExactly(
            // The whole workspace, writable: the stage creates its own output directory
            // (cache/train-...) itself, since a kubelet-made sub-path would belong to root.
            "/workspace null null",
            "/workspace/cache/dataset-prep-a1b2c3d4e5f6 cache/dataset-prep-a1b2c3d4e5f6 true",
            "/data datasets true");
    assertThat(c.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getName()).isEqualTo("programs");
      assertThat(m.getMountPath()).isEqualTo("/opt/fineflow-programs");
      assertThat(m.getReadOnly()).isTrue();
    });
  }

  @Test
  void secretsAreReferencedNeverInlinedAndTheStageAccountGetsNoToken() {
    PodSpec pod = factory.job(request(TestStages.train(), TestStages.gpuCluster())).getSpec().getTemplate().getSpec();
    EnvVar token = pod.getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals("HF_TOKEN")).findFirst().orElseThrow();

    assertThat(token.getValue()).isNull();
    assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo("hf-token");
    assertThat(token.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
    assertThat(pod.getServiceAccountName()).isEqualTo("fineflow-stage");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getImagePullSecrets()).extracting(r -> r.getName()).containsExactly("ngc-pull");
  }

  @Test
  void securityIsRestrictedWithAReadOnlyRootOnlyForFineflowsOwnImage() {
    PodSpec gpu = factory.job(request(TestStages.train(), TestStages.gpuCluster())).getSpec().getTemplate().getSpec();
    PodSpec own = factory.job(request(TestStages.datasetPrep(), TestStages.gpuCluster())).getSpec().getTemplate().getSpec();

    for (PodSpec pod : new PodSpec[] {gpu, own}) {
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      var sc = pod.getContainers().get(0).getSecurityContext();
      assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
      assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(pod.getContainers().get(0).getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    }
    assertThat(own.getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(gpu.getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem()).isFalse();
    for (PodSpec pod : new PodSpec[] {gpu, own}) {
      // One identity for all stages: each reads and extends what the others wrote.
      assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
      assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(1000L);
      assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(1000L);
      assertThat(pod.getSecurityContext().getFsGroupChangePolicy()).isEqualTo("OnRootMismatch");
    }
    assertThat(gpu.getContainers().get(0).getEnv()).contains(new EnvVar("HOME", "/tmp", null));
  }

  @Test
  void aCpuStageGetsNoGpuPlacementAndNoQueueLabelWithoutQueue() {
    Job job = factory.job(request(TestStages.datasetPrep(), ClusterSpec.defaults()));
    PodSpec pod = job.getSpec().getTemplate().getSpec();

    assertThat(job.getMetadata().getLabels()).doesNotContainKey("kueue.x-k8s.io/queue-name");
    assertThat(pod.getNodeSelector()).isNullOrEmpty();
    assertThat(pod.getTolerations()).isNullOrEmpty();
    assertThat(pod.getContainers().get(0).getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
  }

  @Test
  void theSameRequestBuildsTheSameJob() {
    assertThat(factory.job(request(TestStages.train(), TestStages.gpuCluster())))
        .isEqualTo(factory.job(request(TestStages.train(), TestStages.gpuCluster())));
  }

  private static LaunchRequest request(Stage stage, ClusterSpec cluster) {
    return new LaunchRequest(RUN, "fineflow", stage, 3, "d1g35t", cluster);
  }

  @Test
  void tritonRepoGetsTheSkeletonFromTheTritonImageThroughAnInitContainer() throws Exception {
    var spec = fineflow.workflows.spec.SpecLoader.load(
        java.nio.file.Files.readString(java.nio.file.Path.of("configs/demo.yaml")), "demo.yaml");
    Stage repo = fineflow.workflows.plan.Planner.plan(spec)
        .stage(fineflow.workflows.plan.StageName.TRITON_REPO).orElseThrow();
    PodSpec pod = new JobFactory().job(new LaunchRequest("r1", "ml", repo, 1, null, spec.cluster()))
        .getSpec().getTemplate().getSpec();

    assertThat(pod.getInitContainers()).singleElement().satisfies(init -> {
      assertThat(init.getImage()).isEqualTo(spec.serving().image());
      assertThat(init.getCommand()).containsExactly("cp", "-R", "/app/all_models/inflight_batcher_llm/.",
          "/skeleton/inflight_batcher_llm");
      assertThat(init.getArgs()).isEmpty();
      assertThat(init.getVolumeMounts()).anySatisfy(m -> {
        assertThat(m.getName()).isEqualTo("copy-skeleton");
        assertThat(m.getMountPath()).isEqualTo("/skeleton/inflight_batcher_llm");
      });
    });
    Container main = pod.getContainers().get(0);
    assertThat(main.getCommand()).containsSequence("fineflow", "stage", "triton-repo", "--params");
    assertThat(fineflow.workflows.plan.StageParams.fromJson(main.getCommand().get(4),
        fineflow.workflows.plan.TritonRepoParams.class).skeleton()).isEqualTo("/skeleton/inflight_batcher_llm");
    assertThat(main.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getName()).isEqualTo("copy-skeleton");
      assertThat(m.getMountPath()).isEqualTo("/skeleton/inflight_batcher_llm");
    });
    assertThat(pod.getVolumes()).anySatisfy(v -> {
      assertThat(v.getName()).isEqualTo("copy-skeleton");
      assertThat(v.getEmptyDir()).isNotNull();
    });
  }
}
