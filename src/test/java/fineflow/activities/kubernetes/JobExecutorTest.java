package fineflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import fineflow.workflows.contract.AwaitRequest;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.contract.LaunchResult;
import fineflow.workflows.contract.StageFailure;
import fineflow.workflows.contract.StageProgress;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.spec.ClusterSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Launch, adopt, await, collect and classify on the mock API server with a test kubelet. */
@EnableKubernetesMockClient(crud = true)
class JobExecutorTest {
  static final String NS = "fineflow-test";
  static final String RUN = "elyza-qlora-20261126-0112";
  static final Instant NOW = Instant.parse("2026-11-26T01:00:00Z");

  KubernetesMockServer server;
  KubernetesClient client;
  TestKubelet kubelet;
  JobExecutor executor;

  @BeforeEach
  void setUp() {
    kubelet = new TestKubelet(server, client);
    executor = new JobExecutor(client, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void tearDown() {
    kubelet.close();
  }

  @Test
  void launchCreatesTheFactorysJob() {
    LaunchResult result = executor.launch(launch(TestStages.train()));

    Job stored = client.batch().v1().jobs().inNamespace(NS).withName(result.objectName()).get();
    Job built = new JobFactory().job(launch(TestStages.train()));
    assertThat(result.adopted()).isFalse();
    assertThat(stored.getSpec().getTemplate().getSpec()).isEqualTo(built.getSpec().getTemplate().getSpec());
    assertThat(stored.getMetadata().getLabels()).isEqualTo(built.getMetadata().getLabels());
    assertThat(stored.getMetadata().getAnnotations()).isEqualTo(built.getMetadata().getAnnotations());
  }

  @Test
  void aSecondLaunchAfterAWorkerCrashAdoptsTheJob() {
    LaunchResult first = executor.launch(launch(TestStages.train()));
    LaunchResult second = new JobExecutor(client).launch(launch(TestStages.train()));

    assertThat(second).isEqualTo(new LaunchResult(first.objectName(), true));
    assertThat(client.batch().v1().jobs().inNamespace(NS).withLabel(FineflowLabels.RUN, RUN).list().getItems())
        .hasSize(1);
  }

  /**
   * Identical runs reach a stage at one moment (issue 13): the second run's launch follows the
   * first run's unfinished Job of the key instead of writing the same output beside it; a
   * finished one is not followed (a stage that always runs must look at its input again).
   */
  @Test
  void anotherRunsUnfinishedJobOfTheSameKeyIsFollowedAndAFinishedOneIsNot() {
    LaunchResult first = executor.launch(launch(TestStages.train()));
    LaunchResult second = executor.launch(new LaunchRequest("other-run", NS, TestStages.train(), 1,
        "c0ffee" + "0".repeat(58), TestStages.gpuCluster()));

    assertThat(second).isEqualTo(new LaunchResult(first.objectName(), true));
    assertThat(client.batch().v1().jobs().inNamespace(NS).list().getItems()).hasSize(1);

    client.batch().v1().jobs().inNamespace(NS).withName(first.objectName()).editStatus(j -> {
      j.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder().withSucceeded(1)
          .addNewCondition().withType("Complete").withStatus("True").endCondition().build());
      return j;
    });
    LaunchResult third = executor.launch(new LaunchRequest("third-run", NS, TestStages.train(), 1,
        "c0ffee" + "0".repeat(58), TestStages.gpuCluster()));

    assertThat(third.adopted()).isFalse();
    assertThat(third.objectName()).isNotEqualTo(first.objectName());
  }

  @Test
  void aJobOfAnotherRunWithTheSameNameIsNotAdopted() {
    executor.launch(launch(TestStages.train()));
    Job job = client.batch().v1().jobs().inNamespace(NS).list().getItems().get(0);
    job.getMetadata().getLabels().put(FineflowLabels.RUN, "someone-else");
    client.batch().v1().jobs().inNamespace(NS).resource(job).update();

    ApplicationFailure f = catchThrowableOfType(ApplicationFailure.class,
        () -> executor.launch(launch(TestStages.train())));

    assertThat(f.getType()).isEqualTo(FailureType.BAD_ARGUMENTS.type());
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getOriginalMessage()).contains("belongs to run someone-else");
  }

  @Test
  void aJobBeingDeletedIsNotAdoptedAndTheLaunchIsRetried() {
    Job terminating = new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder(
        new JobFactory().job(launch(TestStages.train())))
        .editMetadata().withDeletionTimestamp("2026-11-26T00:59:00Z").withFinalizers("foregroundDeletion")
        .endMetadata().build();
    // The CRUD store drops deletionTimestamp on create: serve the terminating Job as a real API would.
    server.expect().get().withPath("/apis/batch/v1/namespaces/" + NS + "/jobs/" + terminating.getMetadata().getName())
        .andReturn(200, terminating).always();

    ApplicationFailure f = catchThrowableOfType(ApplicationFailure.class,
        () -> executor.launch(launch(TestStages.train())));

    assertThat(f.getType()).isEqualTo(FailureType.TRANSIENT.type());
    assertThat(f.isNonRetryable()).isFalse();
    assertThat(f.getOriginalMessage()).contains("is being deleted");
  }

  @Test
  void aStageWithMountedFilesIsNotAJobStage() {
    Stage s = TestStages.train();
    Stage withFiles = new Stage(s.name(), s.kind(), s.image(), s.argv(), s.env(), s.secretEnv(),
        s.resources(), s.volumes(), s.timeoutSeconds(), s.expectedSeconds(), s.consumes(),
        s.produces(), s.cacheKey(), s.summary(), java.util.Map.of("/etc/x.yaml", "a: 1\n"));

    ApplicationFailure f = catchThrowableOfType(ApplicationFailure.class, () -> executor.launch(launch(withFiles)));

    assertThat(f.getType()).isEqualTo(FailureType.BAD_ARGUMENTS.type());
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(client.batch().v1().jobs().inNamespace(NS).list().getItems()).isEmpty();
  }

  @Test
  void awaitWithoutPodIsStillRunningPending() {
    String job = executor.launch(launch(TestStages.train())).objectName();

    ApplicationFailure f = awaitFailure(job);

    assertThat(f.getType()).isEqualTo(FailureType.STILL_RUNNING.type());
    assertThat(f.isNonRetryable()).isFalse();
    assertThat(f.getDetails().get(0, StageProgress.class)).isEqualTo(new StageProgress("Pending", null, null));
  }

  @Test
  void awaitWhileRunningReportsTheLastProgressLine() {
    String job = executor.launch(launch(TestStages.train())).objectName();
    Pod pod = kubelet.running(kubelet.startPod(NS, job));
    kubelet.serveLog(pod, """
        {"event":"progress","step":10,"totalSteps":100,"epoch":0.3,"loss":1.9}
        {'loss': 1.87, 'grad_norm': 0.41, 'learning_rate': 0.0002, 'epoch': 0.31}
        {"event":"progress","step":20,"totalSteps":100,"epoch":0.6,"loss":1.5}
        {'loss': 1.52, 'grad_norm': 0.38, 'learning_rate': 0.00019, 'epoch': 0.62}
        """);

    StageProgress progress = awaitFailure(job).getDetails().get(0, StageProgress.class);

    assertThat(progress).isEqualTo(new StageProgress("Running", pod.getMetadata().getName(),
        "{\"event\":\"progress\",\"step\":20,\"totalSteps\":100,\"epoch\":0.6,\"loss\":1.5}"));
  }

  @Test
  void theMockServersPodListIsNeverTakenForALog() {
    String job = executor.launch(launch(TestStages.train())).objectName();
    Pod pod = kubelet.startPod(NS, job);
    kubelet.fail(pod, 1, "Error", "");
    // No log served: CRUD mode answers the log request with the namespace's PodList.

    StageFailure failure = awaitFailure(job).getDetails().get(0, StageFailure.class);

    assertThat(failure.logTail()).isEmpty();
    assertThat(String.join("\n", failure.logTail()) + failure.message()).doesNotContain("PodList");
  }

  @Test
  void awaitCollectsTheResultFromTheTerminationMessage() {
    Stage train = TestStages.train();
    String job = executor.launch(launch(train)).objectName();
    Pod pod = kubelet.startPod(NS, job);
    kubelet.succeed(kubelet.running(pod), """
        {"artifacts":[{"name":"adapter","path":"/workspace/cache/train-3f2a9c1b7d4e/adapter",\
        "sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","sizeBytes":84017152}],\
        "metrics":{"peakGpuMemoryBytes":7.9e9,"trainLoss":1.23},"info":{"dtype":"float16"},"simulated":false}""");

    StageResult result = executor.await(await(train, job));

    assertThat(result.stage()).isEqualTo(train.name());
    assertThat(result.cacheKey()).isEqualTo(train.cacheKey());
    assertThat(result.objectName()).isEqualTo(job);
    assertThat(result.podName()).isEqualTo(pod.getMetadata().getName());
    assertThat(result.artifacts()).singleElement().satisfies(a -> {
      assertThat(a.path()).isEqualTo("/workspace/cache/train-3f2a9c1b7d4e/adapter");
      assertThat(a.sizeBytes()).isEqualTo(84017152L);
    });
    assertThat(result.metrics()).containsEntry("trainLoss", 1.23).containsEntry("peakGpuMemoryBytes", 7.9e9);
    assertThat(result.info()).containsEntry("dtype", "float16");
    assertThat(result.simulated()).isFalse();
  }

  @Test
  void aSucceededPodWithoutResultJsonIsOutputInvalid() {
    String job = executor.launch(launch(TestStages.train())).objectName();
    kubelet.succeed(kubelet.startPod(NS, job), "");

    ApplicationFailure f = awaitFailure(job);

    assertThat(f.getType()).isEqualTo(FailureType.OUTPUT_INVALID.type());
    assertThat(f.isNonRetryable()).isTrue();
  }

  @Test
  void aBadArgumentExitCarriesTheLastFiftyLogLines() {
    String job = executor.launch(launch(TestStages.train())).objectName();
    Pod pod = kubelet.running(kubelet.startPod(NS, job));
    kubelet.serveLog(pod, IntStream.rangeClosed(1, 80).mapToObj(i -> "line " + i)
        .collect(Collectors.joining("\n", "", "\n")));
    kubelet.fail(pod, 2, "Error", "train.py: error: argument --lora-r: invalid int value: 'sixteen'");

    ApplicationFailure f = awaitFailure(job);
    StageFailure failure = f.getDetails().get(0, StageFailure.class);

    assertThat(f.getType()).isEqualTo(FailureType.BAD_ARGUMENTS.type());
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(failure.stage()).isEqualTo("train");
    assertThat(failure.reason()).isEqualTo("BadArguments");
    assertThat(failure.message()).contains("invalid int value: 'sixteen'");
    assertThat(failure.logTail()).hasSize(50).startsWith("line 31").endsWith("line 80");
  }

  /**
   * Found on the real control plane: the pod ends a moment before the Job controller marks the
   * Job Failed. The Job is not stuck then, and deleting it would take the pod and its log along.
   */
  @Test
  void aPodThatFailedBeforeTheJobControllerCountedItKeepsItsJobAndPod() {
    String job = executor.launch(launch(TestStages.train())).objectName();
    Pod pod = kubelet.exited(kubelet.running(kubelet.startPod(NS, job)), 2, "Error", "bad --lora-r");

    ApplicationFailure f = awaitFailure(job);

    assertThat(f.getType()).isEqualTo(FailureType.BAD_ARGUMENTS.type());
    assertThat(client.batch().v1().jobs().inNamespace(NS).withName(job).get()).as("the Job").isNotNull();
    assertThat(client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).get()).as("its pod").isNotNull();
  }

  /**
   * Found on the real control plane: at activeDeadlineSeconds the Job controller marks the Job
   * FailureTarget (reason DeadlineExceeded), then deletes its pod, whose container ends with 143
   * (SIGTERM), and marks the Job Failed once the pod is gone. Read in between, the 143 is no
   * verdict of its own: the await waits for the terminal condition, which says why.
   */
  @Test
  void aJobMarkedFailureTargetIsAwaitedUntilItsFailedConditionSaysWhy() {
    String job = executor.launch(launch(TestStages.train())).objectName();
    Pod pod = kubelet.exited(kubelet.running(kubelet.startPod(NS, job)), 143, "Error", "");
    kubelet.jobCondition(pod, "FailureTarget", "DeadlineExceeded", "Job was active longer than specified deadline");

    ApplicationFailure waiting = awaitFailure(job);
    assertThat(waiting.getType()).isEqualTo(FailureType.STILL_RUNNING.type());

    kubelet.jobCondition(pod, "Failed", "DeadlineExceeded", "Job was active longer than specified deadline");
    ApplicationFailure failed = awaitFailure(job);
    assertThat(failed.getType()).isEqualTo(FailureType.STAGE_FAILED.type());
    assertThat(failed.getDetails().get(StageFailure.class).message()).contains("DeadlineExceeded");
  }

  @Test
  void anOomKilledContainerIsOutOfMemory() {
    String job = executor.launch(launch(TestStages.train())).objectName();
    kubelet.fail(kubelet.running(kubelet.startPod(NS, job)), 137, "OOMKilled", "");

    ApplicationFailure f = awaitFailure(job);

    assertThat(f.getType()).isEqualTo(FailureType.OUT_OF_MEMORY.type());
    assertThat(f.isNonRetryable()).isTrue();
  }

  @Test
  void theOutOfMemoryHintQuotesThePreflightEstimate() {
    String job = executor.launch(launch(TestStages.train())).objectName();
    kubelet.fail(kubelet.running(kubelet.startPod(NS, job)), 137, "OOMKilled", "");

    ApplicationFailure f = catchThrowableOfType(ApplicationFailure.class, () -> executor.await(
        new AwaitRequest(RUN, NS, TestStages.train(), job, TestStages.gpuCluster(), "13.8 GiB of the 80.0 GiB GPU")));

    assertThat(f.getDetails().get(StageFailure.class).hint()).contains("Preflight estimate: 13.8 GiB of the 80.0 GiB GPU");
  }

  @Test
  void anImagePullErrorFailsAndDeletesTheStuckJob() {
    String job = executor.launch(launch(TestStages.train())).objectName();
    kubelet.waiting(kubelet.startPod(NS, job), "ImagePullBackOff",
        "Back-off pulling image \"nvcr.io/nvidia/pytorch:24.12-py3\"");

    ApplicationFailure f = awaitFailure(job);

    assertThat(f.getType()).isEqualTo(FailureType.IMAGE_PULL.type());
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(client.batch().v1().jobs().inNamespace(NS).withName(job).get()).isNull();
  }

  @Test
  void unschedulableWaitsUntilTheLimitThenFails() {
    ClusterSpec cluster = TestStages.gpuCluster(); // limit 1800 s
    String job = executor.launch(launch(TestStages.train())).objectName();
    Pod pod = kubelet.startPod(NS, job);
    String scheduler = "0/4 nodes are available: 4 Insufficient nvidia.com/gpu.";
    kubelet.unschedulable(pod, scheduler, NOW.minusSeconds(600));

    assertThat(awaitFailure(job).getType()).isEqualTo(FailureType.STILL_RUNNING.type());

    kubelet.unschedulable(pod, scheduler, NOW.minusSeconds(1801));
    ApplicationFailure f = awaitFailure(job);
    assertThat(f.getType()).isEqualTo(FailureType.UNSCHEDULABLE.type());
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getDetails().get(0, StageFailure.class).message()).contains(scheduler);
    assertThat(cluster.unschedulableTimeoutSeconds()).isEqualTo(1800);
  }

  @Test
  void aJobThatDisappearedFailsWithoutRetry() {
    ApplicationFailure f = awaitFailure("elyza-qlora-train-1-000000");

    assertThat(f.getType()).isEqualTo(FailureType.STAGE_FAILED.type());
    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getOriginalMessage()).contains("no longer exists");
  }

  @Test
  void anApiServerErrorDuringAwaitMeansLookAgainNotRelaunch() {
    Config noRetries = new ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(0).build();
    try (KubernetesClient impatient = new KubernetesClientBuilder().withConfig(noRetries).build()) {
      server.expect().get().withPath("/apis/batch/v1/namespaces/" + NS + "/jobs/broken-job")
          .andReturn(503, "etcdserver: request timed out").always();

      ApplicationFailure f = catchThrowableOfType(ApplicationFailure.class,
          () -> new JobExecutor(impatient).await(await(TestStages.train(), "broken-job")));

      assertThat(f.getType()).isEqualTo(FailureType.STILL_RUNNING.type());
      assertThat(f.isNonRetryable()).isFalse();
      assertThat(f.getOriginalMessage()).contains("503").endsWith("looking again");
      assertThat(f.getDetails().get(0, StageProgress.class).phase()).isEqualTo("Unknown");
    }
  }

  /**
   * Found on the real control plane: an API server that was just restarted answers before its
   * authorizer has synced its Roles, and refuses the worker with 403. While its /readyz says it is
   * not ready, the refusal says nothing about the Role: the await looks again.
   */
  @Test
  void aRefusalFromAnApiServerThatIsNotReadyYetMeansLookAgain() {
    server.expect().get().withPath("/apis/batch/v1/namespaces/" + NS + "/jobs/some-job")
        .andReturn(403, forbidden()).always();
    server.expect().get().withPath("/readyz")
        .andReturn(500, "[-]poststarthook/rbac/bootstrap-roles failed: not finished\nreadyz check failed\n").always();

    ApplicationFailure f = catchThrowableOfType(ApplicationFailure.class,
        () -> executor.await(await(TestStages.train(), "some-job")));

    assertThat(f.getType()).isEqualTo(FailureType.STILL_RUNNING.type());
    assertThat(f.getOriginalMessage()).contains("403").contains("not ready").endsWith("looking again");
  }

  @Test
  void aRefusalFromAReadyApiServerIsTheRbacHint() {
    server.expect().get().withPath("/apis/batch/v1/namespaces/" + NS + "/jobs/some-job")
        .andReturn(403, forbidden()).always();
    server.expect().get().withPath("/readyz").andReturn(200, "ok").always();

    ApplicationFailure f = catchThrowableOfType(ApplicationFailure.class,
        () -> executor.await(await(TestStages.train(), "some-job")));

    assertThat(f.isNonRetryable()).isTrue();
    assertThat(f.getDetails().get(StageFailure.class).hint()).contains("lacks a permission");
  }

  private static String forbidden() {
    return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"jobs.batch "
        + "\\\"some-job\\\" is forbidden: User \\\"system:serviceaccount:fineflow:fineflow-worker\\\" cannot get "
        + "resource \\\"jobs\\\" in API group \\\"batch\\\"\",\"reason\":\"Forbidden\",\"code\":403}";
  }

  @Test
  void anApiServerErrorDuringLaunchIsTransient() {
    Config noRetries = new ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(0).build();
    try (KubernetesClient impatient = new KubernetesClientBuilder().withConfig(noRetries).build()) {
      server.expect().post().withPath("/apis/batch/v1/namespaces/" + NS + "/jobs")
          .andReturn(429, "Too many requests").always();

      ApplicationFailure f = catchThrowableOfType(ApplicationFailure.class,
          () -> new JobExecutor(impatient).launch(launch(TestStages.train())));

      assertThat(f.getType()).isEqualTo(FailureType.TRANSIENT.type());
      assertThat(f.isNonRetryable()).isFalse();
    }
  }

  private ApplicationFailure awaitFailure(String job) {
    return catchThrowableOfType(ApplicationFailure.class,
        () -> executor.await(await(TestStages.train(), job)));
  }

  static LaunchRequest launch(Stage stage) {
    return new LaunchRequest(RUN, NS, stage, 1, "c0ffee" + "0".repeat(58), TestStages.gpuCluster());
  }

  static AwaitRequest await(Stage stage, String job) {
    return new AwaitRequest(RUN, NS, stage, job, TestStages.gpuCluster());
  }
}
