package fineflow.workers.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
          .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("stage")
            .withImage("nvcr.io/nvidia/tritonserver:25.09-trtllm-python-py3")
            .withCommand(List.of("python3", "/opt/fineflow-programs/stage_runner.py", "--stage", "engine-build",
                "--out", "/workspace/cache/engine-build-abc", "--", "trtllm-build", "--checkpoint_dir",
                "/workspace/cache/checkpoint-convert-abc", "--output_dir", "/workspace/cache/engine-build-abc",
                "--max_batch_size", "8"))
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
        .contains("\"maxBatchSize\":\"8\"");
    assertThat(Files.readString(workspace.resolve("cache/engine-build-abc/config.json")))
        .contains("\"max_batch_size\" : 8");
    String log = client.pods().inNamespace("ns").withName(pod.getMetadata().getName()).getLog();
    assertThat(log).contains("[simulated] trtllm-build").doesNotContain("PodList");
    assertThat(kube.requestCounts()).containsKey("POST jobs");
  }

  @Test
  void injectedFailureFailsTheFirstPodOnlyWithExitCode2() {
    start("engine-build");
    client.batch().v1().jobs().inNamespace("ns").resource(engineBuildJob("a-1")).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      Job j = client.batch().v1().jobs().inNamespace("ns").withName("a-1").get();
      return j.getStatus() != null && Integer.valueOf(1).equals(j.getStatus().getFailed());
    });
    Pod failed = client.pods().inNamespace("ns").withLabel("job-name", "a-1").list().getItems().get(0);
    assertThat(failed.getStatus().getPhase()).isEqualTo("Failed");
    assertThat(failed.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode()).isEqualTo(2);

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
}
