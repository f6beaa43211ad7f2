package fineflow.activities.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Plays the Job controller and the kubelet on the mock API server, which has neither: creates a
 * Job's pod and moves pod and Job through their phases with status updates shaped like a real
 * cluster's. Its requests carry the user agent {@value #USER_AGENT}, so tests that audit the
 * activities' API calls can leave them out.
 */
final class TestKubelet implements AutoCloseable {
  static final String USER_AGENT = "test-kubelet";
  private static final String T0 = "2026-11-26T00:12:03Z";

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  TestKubelet(KubernetesMockServer server, KubernetesClient activitiesClient) {
    this.server = server;
    Config config = new ConfigBuilder(activitiesClient.getConfiguration()).withUserAgent(USER_AGENT).build();
    this.client = new KubernetesClientBuilder().withConfig(config).build();
  }

  /** The Job controller's part: a pending pod, labelled and owned like a real Job's pod. */
  Pod startPod(String namespace, String jobName) {
    Job job = client.batch().v1().jobs().inNamespace(namespace).withName(jobName).get();
    Map<String, String> labels = new HashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
    labels.put("job-name", jobName);
    labels.put("batch.kubernetes.io/job-name", jobName);
    Pod pod = new PodBuilder()
        .withNewMetadata()
          .withName(jobName + "-x7k2p")
          .withNamespace(namespace)
          .withLabels(labels)
          .addNewOwnerReference().withApiVersion("batch/v1").withKind("Job").withName(jobName)
            .withUid(job.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true)
          .endOwnerReference()
        .endMetadata()
        .withSpec(job.getSpec().getTemplate().getSpec())
        .build();
    client.pods().inNamespace(namespace).resource(pod).create();
    return setStatus(pod, new PodBuilder(pod).withNewStatus().withPhase("Pending").endStatus().build());
  }

  Pod unschedulable(Pod pod, String message, Instant since) {
    return setStatus(pod, new PodBuilder(pod).withNewStatus().withPhase("Pending")
        .addToConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
            .withReason("Unschedulable").withMessage(message)
            .withLastTransitionTime(since.toString()).build())
        .withQosClass("Burstable").endStatus().build());
  }

  Pod waiting(Pod pod, String reason, String message) {
    return setStatus(pod, new PodBuilder(pod).withNewStatus().withPhase("Pending")
        .addToConditions(scheduled())
        .addToContainerStatuses(containerStatus(pod, new ContainerStateBuilder().withNewWaiting()
            .withReason(reason).withMessage(message).endWaiting().build()))
        .endStatus().build());
  }

  Pod running(Pod pod) {
    return setStatus(pod, new PodBuilder(pod).withNewStatus().withPhase("Running")
        .addToConditions(scheduled()).withStartTime(T0)
        .addToContainerStatuses(containerStatus(pod, new ContainerStateBuilder().withNewRunning()
            .withStartedAt(T0).endRunning().build()))
        .endStatus().build());
  }

  /** The container exits 0 after writing {@code message}; the Job completes. */
  Pod succeed(Pod pod, String message) {
    Pod done = terminate(pod, "Succeeded", 0, "Completed", message);
    setJobCondition(pod, "Complete", "CompletionsReached", "Reached expected number of succeeded pods");
    return done;
  }

  /**
   * The container exits non-zero and the Job controller has not counted it yet: on a real
   * cluster the Job's Failed condition follows the pod's end by a moment.
   */
  Pod exited(Pod pod, int exitCode, String reason, String message) {
    return terminate(pod, "Failed", exitCode, reason, message);
  }

  /** The container exits non-zero; the Job fails at backoffLimit 0. */
  Pod fail(Pod pod, int exitCode, String reason, String message) {
    Pod done = terminate(pod, "Failed", exitCode, reason, message);
    setJobCondition(pod, "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
    return done;
  }

  /**
   * Serves {@code text} as the pod's log, as the API server would for the tail requests the
   * activities make (CRUD mode serves no logs by itself).
   */
  void serveLog(Pod pod, String text) {
    server.expect().get()
        .withPath("/api/v1/namespaces/" + pod.getMetadata().getNamespace() + "/pods/"
            + pod.getMetadata().getName() + "/log?pretty=false&container="
            + pod.getSpec().getContainers().get(0).getName() + "&tailLines=" + PodLogs.FAILURE_TAIL_LINES)
        .andReturn(200, text).always();
  }

  /** The Deployment controller's part: the Deployment reports all replicas available. */
  void deploymentAvailable(String namespace, String name) {
    var d = client.apps().deployments().inNamespace(namespace).withName(name).get();
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
        .withObservedGeneration(d.getMetadata().getGeneration()).withReplicas(replicas)
        .withReadyReplicas(replicas).withAvailableReplicas(replicas).build());
    client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
  }

  /** A running server pod of the Deployment, labelled like its template. */
  Pod serverPod(String namespace, String deployment) {
    var d = client.apps().deployments().inNamespace(namespace).withName(deployment).get();
    Pod pod = new PodBuilder().withNewMetadata().withName(deployment + "-7d9f-x2").withNamespace(namespace)
        .withLabels(d.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
        .withSpec(d.getSpec().getTemplate().getSpec()).build();
    client.pods().inNamespace(namespace).resource(pod).create();
    return running(pod);
  }

  /** What the rollout executor leaves for a run: a Deployment, its Service and a ConfigMap. */
  void createServing(String namespace, String run) {
    Map<String, String> labels = Map.of(FineflowLabels.RUN, run, FineflowLabels.TRACK, "candidate",
        FineflowLabels.MANAGED_BY, FineflowLabels.FINEFLOW);
    client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
        .withNewMetadata().withName(run + "-candidate").withLabels(labels).endMetadata()
        .withNewSpec().withNewSelector().withMatchLabels(labels).endSelector()
        .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
        .withNewSpec().addNewContainer().withName("triton")
        .withImage("nvcr.io/nvidia/tritonserver:24.12-trtllm-python-py3").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
    client.services().inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata()
        .withName(run + "-candidate").withLabels(labels).endMetadata().withNewSpec()
        .withSelector(labels).addNewPort().withName("http").withPort(8000).endPort().endSpec().build())
        .create();
    client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
        .withName(run + "-triton-config").withLabels(labels).endMetadata().build()).create();
  }

  private Pod terminate(Pod pod, String phase, int exitCode, String reason, String message) {
    return setStatus(pod, new PodBuilder(pod).withNewStatus().withPhase(phase)
        .addToConditions(scheduled()).withStartTime(T0)
        .addToContainerStatuses(containerStatus(pod, new ContainerStateBuilder().withNewTerminated()
            .withExitCode(exitCode).withReason(reason).withMessage(message)
            .withStartedAt(T0).withFinishedAt("2026-11-26T00:20:10Z").endTerminated().build()))
        .endStatus().build());
  }

  /** The Job controller's part: sets the Job's status to one condition. */
  void jobCondition(Pod pod, String type, String reason, String message) {
    setJobCondition(pod, type, reason, message);
  }

  private void setJobCondition(Pod pod, String type, String reason, String message) {
    String ns = pod.getMetadata().getNamespace();
    Job job = client.batch().v1().jobs().inNamespace(ns)
        .withName(pod.getMetadata().getLabels().get("job-name")).get();
    Job updated = new JobBuilder(job).withNewStatus()
        .withStartTime(T0)
        .withSucceeded(type.equals("Complete") ? 1 : null)
        .withFailed(type.equals("Failed") ? 1 : null)
        .addToConditions(new JobConditionBuilder().withType(type).withStatus("True")
            .withReason(reason).withMessage(message).withLastTransitionTime("2026-11-26T00:20:12Z").build())
        .endStatus().build();
    client.batch().v1().jobs().inNamespace(ns).resource(updated).updateStatus();
  }

  private static ContainerStatus containerStatus(Pod pod, io.fabric8.kubernetes.api.model.ContainerState state) {
    var c = pod.getSpec().getContainers().get(0);
    return new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
        .withReady(state.getRunning() != null).withRestartCount(0).withState(state).build();
  }

  private static io.fabric8.kubernetes.api.model.PodCondition scheduled() {
    return new PodConditionBuilder().withType("PodScheduled").withStatus("True")
        .withLastTransitionTime(T0).build();
  }

  private Pod setStatus(Pod pod, Pod withStatus) {
    Pod current = client.pods().inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName()).get();
    return client.pods().inNamespace(pod.getMetadata().getNamespace())
        .resource(new PodBuilder(current).withStatus(withStatus.getStatus()).build()).updateStatus();
  }

  @Override
  public void close() {
    client.close();
  }
}
