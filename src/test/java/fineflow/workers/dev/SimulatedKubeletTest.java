package fineflow.workers.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.activities.kubernetes.JobFactory;
import fineflow.activities.kubernetes.ProgramsConfigMap;
import fineflow.activities.stages.ContentDigest;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import fineflow.workflows.spec.SpecPatch;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedKubeletTest {
  @TempDir Path workspace;
  EmbeddedKubernetes kube;
  SimulatedKubelet kubelet;
  KubernetesClient client;

  void start(String failStage) {
    kube = new EmbeddedKubernetes().start(0);
    client = kube.client();
    WorkspacePaths paths = new WorkspacePaths(workspace, workspace.resolve("skeleton"));
    DevOptions options = new DevOptions(0, 0, workspace, 1000, Duration.ofMillis(300), failStage, 1, "ns", null);
    kubelet = new SimulatedKubelet(client, kube.logs(), paths, options, new ModelServers()).start();
  }

  @AfterEach
  void stop() {
    kubelet.close();
    kube.close();
  }

  static Job engineBuildJob(String name) {
    return new JobBuilder()
        .withNewMetadata().withName(name).withNamespace("ns")
          .addToLabels("fineflow.dev/stage", "engine-build").endMetadata()
        .withNewSpec().withBackoffLimit(0).withNewTemplate()
          .withNewMetadata().addToLabels("fineflow.dev/stage", "engine-build").endMetadata()
          .withNewSpec().withRestartPolicy("Never")
            .addNewVolume().withName("workspace").withNewPersistentVolumeClaim().withClaimName("ws")
              .endPersistentVolumeClaim().endVolume()
            .addNewContainer().withName("stage")
            .withImage("nvcr.io/nvidia/tritonserver:25.09-trtllm-python-py3")
            .addNewVolumeMount().withName("workspace").withMountPath("/workspace").endVolumeMount()
            .withCommand(new fineflow.workflows.plan.EngineBuildParams("/workspace/cache/checkpoint-convert-abc",
                "/workspace/cache/engine-build-abc", "float16", 8, 1024, 2048, 8192, 1, "paged", null).argv())
          .endContainer().endSpec().endTemplate().endSpec()
        .build();
  }

  @Test
  void runsASimulatedGpuJobToCompletionWithATerminationMessageAndLogs() throws Exception {
    start(null);
    client.batch().v1().jobs().inNamespace("ns").resource(engineBuildJob("run-engine-build-1")).create();

    await().atMost(Duration.ofSeconds(10)).until(() -> {
      Job j = client.batch().v1().jobs().inNamespace("ns").withName("run-engine-build-1").get();
      return j.getStatus() != null && Integer.valueOf(1).equals(j.getStatus().getSucceeded());
    });
    Pod pod = client.pods().inNamespace("ns").withLabel("job-name", "run-engine-build-1").list().getItems().get(0);
    assertThat(pod.getStatus().getPhase()).isEqualTo("Succeeded");
    assertThat(pod.getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("Job");
    var terminated = pod.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    assertThat(terminated.getExitCode()).isZero();
    assertThat(terminated.getMessage()).contains("\"simulated\":true", "/workspace/cache/engine-build-abc")
        .contains("\"max_batch_size\":\"8\"");
    assertThat(Files.readString(workspace.resolve("cache/engine-build-abc/config.json")))
        .contains("\"max_batch_size\" : 8");
    String log = client.pods().inNamespace("ns").withName(pod.getMetadata().getName()).getLog();
    assertThat(log).contains("[simulated] trtllm-build").doesNotContain("PodList");
    assertThat(kube.requestCounts()).containsKey("POST jobs");
  }

  @Test
  void injectedFailureFailsTheFirstPodOnlyAndSaysItWasInjected() {
    start("engine-build");
    client.batch().v1().jobs().inNamespace("ns").resource(engineBuildJob("a-1")).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      Job j = client.batch().v1().jobs().inNamespace("ns").withName("a-1").get();
      return j.getStatus() != null && Integer.valueOf(1).equals(j.getStatus().getFailed());
    });
    Pod failed = client.pods().inNamespace("ns").withLabel("job-name", "a-1").list().getItems().get(0);
    assertThat(failed.getStatus().getPhase()).isEqualTo("Failed");
    var terminated = failed.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    // Exit 1, not the bad-arguments 2 that would send the user to fix a spec value.
    assertThat(terminated.getExitCode()).isEqualTo(1);
    assertThat(terminated.getMessage()).contains("failure injected by --fail-stage engine-build (1 of 1)",
        "not a fault of the spec");

    client.batch().v1().jobs().inNamespace("ns").resource(engineBuildJob("a-2")).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      Job j = client.batch().v1().jobs().inNamespace("ns").withName("a-2").get();
      return j.getStatus() != null && Integer.valueOf(1).equals(j.getStatus().getSucceeded());
    });
  }

  @Test
  void deletingAJobDeletesItsPod() {
    start(null);
    client.batch().v1().jobs().inNamespace("ns").resource(engineBuildJob("gone-1")).create();
    await().atMost(Duration.ofSeconds(10)).until(() ->
        !client.pods().inNamespace("ns").withLabel("job-name", "gone-1").list().getItems().isEmpty());
    client.batch().v1().jobs().inNamespace("ns").withName("gone-1").delete();
    await().atMost(Duration.ofSeconds(10)).until(() ->
        client.pods().inNamespace("ns").withLabel("job-name", "gone-1").list().getItems().isEmpty());
  }

  /** A fineflow-image Job with the given command/args and extra mount (null = none). */
  static Job fineflowJob(String name, List<String> command, List<String> args, String mountOverOpt) {
    var container = new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("dataset-prep")
        .withImage("ghcr.io/fineflow/fineflow:0.1.0").withCommand(command).withArgs(args)
        .addNewVolumeMount().withName("workspace").withMountPath("/workspace").endVolumeMount();
    if (mountOverOpt != null) {
      container.addNewVolumeMount().withName("programs").withMountPath(mountOverOpt).withReadOnly(true)
          .endVolumeMount();
    }
    return new JobBuilder()
        .withNewMetadata().withName(name).withNamespace("ns")
          .addToLabels("fineflow.dev/stage", "dataset-prep").endMetadata()
        .withNewSpec().withBackoffLimit(0).withNewTemplate()
          .withNewMetadata().addToLabels("fineflow.dev/stage", "dataset-prep").endMetadata()
          .withNewSpec().withRestartPolicy("Never")
            .addNewVolume().withName("workspace").withNewPersistentVolumeClaim().withClaimName("ws")
              .endPersistentVolumeClaim().endVolume()
            .addNewVolume().withName("programs").withNewConfigMap().withName("fineflow-programs")
              .endConfigMap().endVolume()
            .withContainers(container.build())
          .endSpec().endTemplate().endSpec()
        .build();
  }

  private io.fabric8.kubernetes.api.model.ContainerStateTerminated finished(String job) {
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      Job j = client.batch().v1().jobs().inNamespace("ns").withName(job).get();
      return j.getStatus() != null && j.getStatus().getFailed() != null
          && (j.getStatus().getFailed() + j.getStatus().getSucceeded()) > 0;
    });
    Pod pod = client.pods().inNamespace("ns").withLabel("job-name", job).list().getItems().get(0);
    return pod.getStatus().getContainerStatuses().get(0).getState().getTerminated();
  }

  @Test
  void argsOverTheFineflowEntrypointFailAsOnACluster() {
    start(null);
    // ENTRYPOINT ["fineflow"] + args [fineflow, stage, ...] = fineflow fineflow stage ...
    client.batch().v1().jobs().inNamespace("ns").resource(fineflowJob("doubled-1", null,
        List.of("fineflow", "stage", "dataset-prep", "--help"), null)).create();

    var terminated = finished("doubled-1");
    assertThat(terminated.getExitCode()).isNotZero();
    assertThat(terminated.getMessage()).contains("Unmatched argument at index 0: 'fineflow'");
  }

  @Test
  void aMountOverTheJarFailsTheContainer() {
    start(null);
    client.batch().v1().jobs().inNamespace("ns").resource(fineflowJob("hidden-1",
        List.of("fineflow", "stage", "dataset-prep", "--help"), null, "/opt/fineflow")).create();

    var terminated = finished("hidden-1");
    assertThat(terminated.getExitCode()).isEqualTo(128);
    assertThat(terminated.getMessage()).contains("/opt/fineflow/fineflow.jar",
        "hidden by the volume mount at /opt/fineflow");
  }

  @Test
  void theFineflowEntrypointRunsTheCommandAsWritten() {
    start(null);
    client.batch().v1().jobs().inNamespace("ns").resource(fineflowJob("ok-1",
        List.of("fineflow", "stage", "dataset-prep", "--help"), null, "/opt/fineflow-programs")).create();

    var terminated = finished("ok-1");
    assertThat(terminated.getExitCode()).as(terminated.getMessage()).isZero();
  }

  /** model-fetch's Job as the worker creates it from the plan of {@code spec}. */
  static Job modelFetchJob(String runId, PipelineSpec spec) {
    Plan plan = Planner.plan(spec);
    Stage fetch = plan.stage(StageName.MODEL_FETCH).orElseThrow();
    return new JobFactory().job(new LaunchRequest(runId, "ns", fetch, 1, plan.specDigest(), spec.cluster()));
  }

  static PipelineSpec demo(String... set) throws Exception {
    PipelineSpec spec = SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml");
    return SpecPatch.apply(spec, List.of(set));
  }

  private ContainerStateTerminated finishedJob(Job job) {
    return finished(job.getMetadata().getName());
  }

  @Test
  void modelFetchRunsItsProgramFromTheProgramsConfigMapAndRecordsACommit() throws Exception {
    start(null);
    ProgramsConfigMap.apply(client, "ns", ProgramsConfigMap.fromClasspath());
    Job job = client.batch().v1().jobs().inNamespace("ns").resource(modelFetchJob("run-1", demo())).create();

    var terminated = finishedJob(job);
    assertThat(terminated.getExitCode()).as(terminated.getMessage()).isZero();
    JsonNode result = new ObjectMapper().readTree(terminated.getMessage());
    String sha = result.path("info").path("sha").asText();
    assertThat(sha).matches("[0-9a-f]{40}");
    assertThat(result.path("simulated").asBoolean()).isTrue();
    // Where snapshot_download would have put it, on the pod's mount of the workspace HF cache.
    assertThat(workspace.resolve("hf-cache/hub/models--HuggingFaceTB--SmolLM2-135M-Instruct/snapshots/" + sha))
        .isDirectory();
    String out = fineflow.workflows.plan.StageParams.fromJson(job.getSpec().getTemplate().getSpec()
        .getContainers().get(0).getCommand().stream().dropWhile(a -> !a.equals("--params")).skip(1)
        .findFirst().orElseThrow(), fineflow.workflows.plan.ModelFetchParams.class).output();
    Path record = workspace.resolve(out.replaceFirst("^/workspace/", "") + "/model-fetch.json");
    assertThat(record).content().contains(sha);
    // The artifact is the record, with its digest; the snapshot is named in info.
    assertThat(result.path("artifacts")).singleElement().satisfies(a -> {
      assertThat(a.path("name").asText()).isEqualTo("model-fetch");
      assertThat(a.path("path").asText()).isEqualTo(out + "/model-fetch.json");
      assertThat(a.path("sha256").asText()).isEqualTo(ContentDigest.of(record).sha256());
    });
    assertThat(result.path("info").path("snapshot").asText()).endsWith("/snapshots/" + sha);
  }

  @Test
  void modelFetchFailsAsPythonWouldWhenNoConfigMapProvidesItsProgram() throws Exception {
    start(null);
    Job job = client.batch().v1().jobs().inNamespace("ns").resource(modelFetchJob("run-1", demo())).create();

    var terminated = finishedJob(job);
    assertThat(terminated.getExitCode()).isEqualTo(2);
    assertThat(terminated.getMessage()).contains("can't open file '/opt/fineflow-programs/model_fetch.py'");
  }

  @Test
  void aWorkspaceModelIsHashedForRealAndAMissingOneFails() throws Exception {
    start(null);
    ProgramsConfigMap.apply(client, "ns", ProgramsConfigMap.fromClasspath());
    Path model = Files.createDirectories(workspace.resolve("models/tiny"));
    Files.writeString(model.resolve("config.json"), "{\"model_type\": \"llama\"}");
    Files.writeString(model.resolve("model.safetensors"), "weights");
    PipelineSpec local = demo("model.id=/workspace/models/tiny", "model.tokenizer=/workspace/models/tiny");
    Job job = client.batch().v1().jobs().inNamespace("ns").resource(modelFetchJob("run-1", local)).create();

    var terminated = finishedJob(job);
    assertThat(terminated.getExitCode()).as(terminated.getMessage()).isZero();
    JsonNode result = new ObjectMapper().readTree(terminated.getMessage());
    assertThat(result.path("info").path("sha").asText()).isEqualTo(ContentDigest.of(model).sha256());
    assertThat(result.path("simulated").asBoolean()).isFalse();

    PipelineSpec missing = demo("model.id=/workspace/models/none", "model.tokenizer=/workspace/models/none");
    var failed = finishedJob(client.batch().v1().jobs().inNamespace("ns").resource(modelFetchJob("run-2", missing)).create());
    assertThat(failed.getExitCode()).isEqualTo(2);
    // The kubelet creates a missing sub-path as an empty directory, so model_fetch.py finds no config.
    assertThat(failed.getMessage()).contains("model /workspace/models/none: no config.json, not a model directory");
  }
}
