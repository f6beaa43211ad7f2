package fineflow.activities.kubernetes;

import static fineflow.activities.kubernetes.StatusFixtures.job;
import static fineflow.activities.kubernetes.StatusFixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import fineflow.activities.kubernetes.FailureClassifier.Evidence;
import fineflow.activities.kubernetes.FailureClassifier.Verdict;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.spec.ClusterSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each case is a Pod/Job status as the API server reports it (test resources status/). */
class FailureClassifierTest {
  private static final Instant NOW = Instant.parse("2026-11-26T00:45:00Z");
  private static final ClusterSpec CLUSTER = ClusterSpec.defaults();
  private final FailureClassifier classifier = new FailureClassifier();

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of("oomkilled", "failed-backofflimit", FailureType.OUT_OF_MEMORY, "OOMKilled (exit code 137)"),
        Arguments.of("exit3", "failed-backofflimit", FailureType.OUT_OF_MEMORY, "CUDA out of memory"),
        Arguments.of("exit1-cuda-oom", "failed-backofflimit", FailureType.OUT_OF_MEMORY, "cudaMalloc(ptr, n): out of memory"),
        Arguments.of("errimagepull", "running", FailureType.IMAGE_PULL, "24.13-trtllm-python-py3: not found"),
        Arguments.of("imagepullbackoff", "running", FailureType.IMAGE_PULL, "Back-off pulling image"),
        Arguments.of("invalidimagename", "running", FailureType.IMAGE_PULL, "invalid reference format"),
        Arguments.of("createcontainerconfigerror", "running", FailureType.BAD_ARGUMENTS, "secret \"hf-token\" not found"),
        Arguments.of("exit2", "failed-backofflimit", FailureType.BAD_ARGUMENTS, "exceeds maxRank=32"),
        Arguments.of("exit2-stage-runner", "failed-backofflimit", FailureType.BAD_ARGUMENTS,
            "exited with code 2 (Error): lora-convert pre-check failed: adapter rank 64 exceeds the engine's "
                + "--max_lora_rank 32: rebuild the engine with engine.lora.maxLoraRank >= 64 (also: adapter "
                + "target_modules ['gate_proj'] have no TensorRT-LLM LoRA module"),
        Arguments.of("exit4", "failed-backofflimit", FailureType.OUTPUT_INVALID, "no rank*.engine"),
        Arguments.of("exit1", "failed-backofflimit", FailureType.STAGE_FAILED, "exited with code 1 (Error): KeyError: 'instruction'"),
        Arguments.of("deadline-terminated", "failed-deadline", FailureType.STAGE_FAILED, "longer than its timeout of 7200 s"),
        Arguments.of("evicted", "failed-backofflimit", FailureType.TRANSIENT, "Evicted: The node was low on resource: memory"),
        Arguments.of("disruption-taint", "running", FailureType.TRANSIENT, "DeletionByTaintManager"),
        Arguments.of("nodelost", "running", FailureType.TRANSIENT, "NodeLost: Node gpu-node-4"),
        Arguments.of("nodelost", "failed-deadline", FailureType.TRANSIENT, "is unresponsive"));
  }

  @ParameterizedTest(name = "pod {0} + job {1} -> {2}")
  @MethodSource("failures")
  void classifiesRealStatusShapes(String pod, String job, FailureType type, String quoted) {
    Verdict v = classify(pod(pod), job(job), List.of(), null).orElseThrow();

    assertThat(v.type()).isEqualTo(type);
    assertThat(v.message()).contains(quoted);
    assertThat(v.hint()).isNotBlank();
  }

  /**
   * One classifier for Jobs and Deployments: every fixture's pod, as a model server's pod,
   * gets the Job's verdict where a pod-level rule decides (image, Secret, OOMKilled,
   * unschedulable), and none where only a Job's exit or condition tells (a server is not done).
   */
  @ParameterizedTest(name = "server pod {0} like the Job's")
  @MethodSource("failures")
  void aServersPodIsClassifiedByTheJobsRules(String pod, String job, FailureType type, String quoted) {
    Optional<Verdict> server = classifier.classifyServerPod(pod(pod), NOW, CLUSTER);
    Verdict asJob = classify(pod(pod), job(job), List.of(), null).orElseThrow();
    boolean podLevel = Set.of("oomkilled", "errimagepull", "imagepullbackoff", "invalidimagename",
        "createcontainerconfigerror").contains(pod);
    if (podLevel) {
      assertThat(server).map(Verdict::type).contains(asJob.type());
      assertThat(server.orElseThrow().message()).contains(quoted);
    } else {
      assertThat(server).as("decided by the Job, not the pod").isEmpty();
    }
  }

  @Test
  void aServersPodUsesTheJobsUnschedulableLimitAndImageReasons() {
    Pod pod = pod("unschedulable"); // PodScheduled=False since 00:10:00, limit 1800 s
    assertThat(classifier.classifyServerPod(pod, Instant.parse("2026-11-26T00:39:59Z"), CLUSTER)).isEmpty();
    assertThat(classifier.classifyServerPod(pod, Instant.parse("2026-11-26T00:40:01Z"), CLUSTER))
        .map(Verdict::type).contains(FailureType.UNSCHEDULABLE);
    // The rollout's own list lacked RegistryUnavailable.
    Pod registry = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("p")
        .withNamespace("ns").endMetadata().withNewStatus().addNewContainerStatus().withName("server")
        .withImage("nvcr.io/nvidia/tritonserver:25.09-trtllm-python-py3").withNewState().withNewWaiting()
        .withReason("RegistryUnavailable").withMessage("registry unreachable").endWaiting().endState()
        .endContainerStatus().endStatus().build();
    assertThat(classifier.classifyServerPod(registry, NOW, CLUSTER)).map(Verdict::type)
        .contains(FailureType.IMAGE_PULL);
  }

  @Test
  void unschedulableIsStillRunningUntilTheLimitAndThenQuotesTheScheduler() {
    Pod pod = pod("unschedulable"); // PodScheduled=False since 00:10:00, limit 1800 s
    Job running = job("running");

    assertThat(classifier.classify(evidence(pod, running, List.of(), null,
        Instant.parse("2026-11-26T00:39:59Z")))).isEmpty();
    Verdict v = classifier.classify(evidence(pod, running, List.of(), null,
        Instant.parse("2026-11-26T00:40:01Z"))).orElseThrow();

    assertThat(v.type()).isEqualTo(FailureType.UNSCHEDULABLE);
    assertThat(v.type().retryable()).isFalse();
    assertThat(v.message()).contains("for 1801 s")
        .contains("0/4 nodes are available: 4 Insufficient nvidia.com/gpu.");
  }

  @Test
  void unschedulableWhenTheDeadlineEndsTheJobBeforeTheLimit() {
    Verdict v = classify(pod("unschedulable"), job("failed-deadline"), List.of(), null).orElseThrow();

    assertThat(v.type()).isEqualTo(FailureType.UNSCHEDULABLE);
  }

  @Test
  void cudaOutOfMemoryOnlyInTheLogTail() {
    List<String> tail = List.of("{\"event\":\"progress\",\"step\":3}",
        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.10 GiB");
    Pod crashed = pod("exit1"); // its termination message is a KeyError line; the tail has the OOM

    Verdict v = classify(crashed, job("failed-backofflimit"), tail, null).orElseThrow();

    assertThat(v.type()).isEqualTo(FailureType.OUT_OF_MEMORY);
  }

  @Test
  void outOfMemoryHintQuotesTheEstimateWhenGivenAndPointsToEstimateOtherwise() {
    Verdict with = classify(pod("exit3"), job("failed-backofflimit"), List.of(), "61.2 GiB of 80 GiB").orElseThrow();
    Verdict without = classify(pod("oomkilled"), job("failed-backofflimit"), List.of(), null).orElseThrow();

    assertThat(with.hint()).contains("Preflight estimate: 61.2 GiB of 80 GiB.")
        .contains("1 x 80.0 GiB").contains("training.microBatchSize");
    assertThat(without.hint()).contains("fineflow estimate SPEC").contains("host memory");
  }

  @Test
  void runningPodAndSucceededPodAreNoFailure() {
    assertThat(classify(pod("running"), job("running"), List.of(), null)).isEmpty();
    assertThat(classify(pod("succeeded"), job("complete"), List.of(), null)).isEmpty();
  }

  @Test
  void aDeadlineWhosePodTheControllerDeletedIsATimeoutNotANodeProblem() {
    Verdict v = classify(null, job("failed-deadline"), List.of(), null).orElseThrow();

    assertThat(v.type()).isEqualTo(FailureType.STAGE_FAILED);
    assertThat(v.type().retryable()).isFalse();
    assertThat(v.message()).contains("timeout of 7200 s");
  }

  @Test
  void failedJobWhosePodIsGoneIsTransient() {
    Verdict v = classify(null, job("failed-backofflimit"), List.of(), null).orElseThrow();

    assertThat(v.type()).isEqualTo(FailureType.TRANSIENT);
    assertThat(v.message()).contains("its pod no longer exists");
  }

  @Test
  void apiErrorsRetryOnServerSideAndConnectionProblemsOnly() {
    assertThat(classifier.apiError(error(503)).type()).isEqualTo(FailureType.TRANSIENT);
    assertThat(classifier.apiError(error(500)).type()).isEqualTo(FailureType.TRANSIENT);
    assertThat(classifier.apiError(error(429)).type()).isEqualTo(FailureType.TRANSIENT);
    assertThat(classifier.apiError(new KubernetesClientException("Failed to connect",
        new ConnectException("Connection refused"))).type()).isEqualTo(FailureType.TRANSIENT);
    assertThat(classifier.apiError(new KubernetesClientException("too old resource version", 410, null)).type())
        .isEqualTo(FailureType.TRANSIENT);
    assertThat(classifier.apiError(error(409)).type()).isEqualTo(FailureType.TRANSIENT);
    assertThat(classifier.apiError(new KubernetesClientException("stream reset",
        new IOException("unexpected end of stream"), 200, null, null)).type()).isEqualTo(FailureType.TRANSIENT);
    // A request that timed out has no status code (Fabric8 reports -1): the API server is slow, not the stage.
    assertThat(classifier.apiError(new KubernetesClientException("The timeout period of 10000ms has been exceeded",
        -1, null)).type()).isEqualTo(FailureType.TRANSIENT);
    assertThat(classifier.apiError(new KubernetesClientException("timed out",
        new java.util.concurrent.TimeoutException("10000ms"))).type()).isEqualTo(FailureType.TRANSIENT);
    assertThat(classifier.apiError(error(422)).type()).isEqualTo(FailureType.BAD_ARGUMENTS);
    Verdict forbidden = classifier.apiError(error(403));
    assertThat(forbidden.type()).isEqualTo(FailureType.STAGE_FAILED);
    assertThat(forbidden.hint()).contains("role.yaml");
  }

  private static KubernetesClientException error(int code) {
    Status status = new StatusBuilder().withCode(code).withMessage("status " + code).build();
    return new KubernetesClientException("Failure executing: GET at: https://kube/apis/batch/v1/namespaces/fineflow/jobs/x.",
        code, status);
  }

  @Test
  void invalidDatasetRecordsSayTheDataIsWrongNotTheSpec() {
    String message = "{\"error\":\"data/d.jsonl: 3 of 43 records are invalid (3 missing-field); fix them or set"
        + " dataset.onInvalid: skip\",\"problems\":[\"line 4: missing field output\"]}";
    Pod pod = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("r-dataset-prep-1-x")
        .endMetadata().withNewStatus().withPhase("Failed").addNewContainerStatus().withName("dataset-prep")
        .withNewState().withNewTerminated().withExitCode(2).withReason("Error").withMessage(message)
        .endTerminated().endState().endContainerStatus().endStatus().build();
    Job job = new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder().withNewMetadata().withName("r-dataset-prep-1")
        .endMetadata().withNewStatus().withFailed(1).endStatus().build();

    Verdict v = classify(pod, job, List.of(), null).orElseThrow();

    assertThat(v.type()).isEqualTo(FailureType.BAD_ARGUMENTS);
    assertThat(v.message()).contains("3 of 43 records are invalid", "line 4: missing field output");
    assertThat(v.hint()).contains("input data is wrong", "dataset.onInvalid: skip").doesNotContain("spec value");
  }

  private Optional<Verdict> classify(Pod pod, Job job, List<String> tail, String estimate) {
    return classifier.classify(evidence(pod, job, tail, estimate, NOW));
  }

  private static Evidence evidence(Pod pod, Job job, List<String> tail, String estimate, Instant now) {
    return new Evidence(job, pod, tail, now, CLUSTER, estimate);
  }
}
