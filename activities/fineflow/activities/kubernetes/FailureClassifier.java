package fineflow.activities.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.format.Json;
import fineflow.workflows.spec.ClusterSpec;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Decides why a stage's Job failed, from the Job's and its pod's status and the pod's log tail.
 * Pure: no API calls, the clock is an argument. Non-retryable verdicts pause the run with a hint;
 * retryable ones ({@link FailureType#TRANSIENT}) are problems of the cluster, not of the stage.
 */
public final class FailureClassifier {

  /** The classification of a failure. */
  public record Verdict(FailureType type, String message, String hint) {
  }

  /**
   * What the classifier looks at.
   *
   * @param pod the Job's newest pod; null when there is none (not created yet, or deleted)
   * @param memoryEstimate the preflight's estimate as text (e.g. "61.2 GiB of 80 GiB"), quoted in
   *     out-of-memory hints; null when the caller has none, and the hint then points to
   *     {@code fineflow estimate}
   */
  public record Evidence(
      Job job, Pod pod, List<String> logTail, Instant now, ClusterSpec cluster,
      String memoryEstimate) {
    public Evidence {
      logTail = logTail == null ? List.of() : List.copyOf(logTail);
    }
  }

  static final Set<String> IMAGE_REASONS = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
      "ErrImageNeverPull", "RegistryUnavailable");
  /** Pod status reasons set when a node went away or evicted the pod. */
  static final Set<String> NODE_REASONS = Set.of("Evicted", "NodeLost", "Shutdown", "NodeShutdown",
      "Terminated", "Preempting", "UnexpectedAdmissionError");
  /** PyTorch, CUDA runtime/driver and TensorRT wordings of "the GPU ran out of memory". */
  static final Pattern CUDA_OOM = Pattern.compile(
      "CUDA[^\n]{0,80}out of memory|OutOfMemoryError|cudaErrorMemoryAllocation"
          + "|CUDA_ERROR_OUT_OF_MEMORY|Requested amount of GPU memory[^\n]*could not be allocated",
      Pattern.CASE_INSENSITIVE);

  private static final ObjectMapper JSON = Json.mapper();

  static final int EXIT_BAD_ARGUMENTS = 2;
  static final int EXIT_CUDA_OOM = 3;
  static final int EXIT_OUTPUT_INVALID = 4;

  /** The verdict on a failed or stuck stage; empty while it may still succeed. */
  public Optional<Verdict> classify(Evidence e) {
    return firstPresent(
        imagePull(e),
        containerConfig(e),
        oomKilled(e),
        nodeProblem(e),
        unschedulable(e),
        deadlineExceeded(e),
        exitCode(e),
        jobFailed(e));
  }

  /**
   * The verdict on a model server's pod (a rollout's Deployment): the pod-level rules of
   * {@link #classify}, the same for Jobs and Deployments (image pull, missing Secret or
   * ConfigMap, OOMKilled, unschedulable past cluster.unschedulableTimeoutSeconds); empty while
   * the pod may still become ready.
   */
  public Optional<Verdict> classifyServerPod(Pod pod, Instant now, ClusterSpec cluster) {
    Evidence e = new Evidence(null, pod, List.of(), now, cluster, null);
    return firstPresent(imagePull(e), containerConfig(e), oomKilled(e), unschedulable(e));
  }

  /** Status codes a repeated call can get past: timeouts, conflicts, expired watches, throttling. */
  static final Set<Integer> RETRYABLE_CODES = Set.of(408, 409, 410, 429);

  /** Errors of API calls: 5xx, 429 and connection problems are retried, the rest are not. */
  public Verdict apiError(KubernetesClientException ex) {
    int code = ex.getCode();
    String what = "Kubernetes API" + (code > 0 ? " answered " + code : " unreachable") + ": "
        + ex.getMessage();
    // No status code (<= 0): the request never got an answer (refused, reset, timed out).
    if (code <= 0 || code >= 500 || RETRYABLE_CODES.contains(code) || hasCause(ex, IOException.class)
        || hasCause(ex, java.util.concurrent.TimeoutException.class)) {
      return new Verdict(FailureType.TRANSIENT, what, "retried automatically");
    }
    if (code == 401 || code == 403) {
      return new Verdict(FailureType.STAGE_FAILED, what,
          "the worker's service account lacks a permission: apply k8s/role.yaml (or the chart's "
              + "RBAC) to the stage namespace");
    }
    return new Verdict(FailureType.BAD_ARGUMENTS, what,
        "the API server rejected the stage's object; the message names the invalid field");
  }

  private static Optional<Verdict> imagePull(Evidence e) {
    return containerStatuses(e.pod())
        .filter(cs -> waiting(cs) != null && IMAGE_REASONS.contains(waiting(cs).getReason()))
        .findFirst()
        .map(cs -> new Verdict(FailureType.IMAGE_PULL,
            "image " + cs.getImage() + " cannot be pulled (" + waiting(cs).getReason() + "): "
                + nullToEmpty(waiting(cs).getMessage()),
            "check the image name and tag in the spec, that the registry is reachable from the "
                + "nodes, and cluster.imagePullSecrets for private registries (nvcr.io needs an "
                + "NGC API key secret)"));
  }

  /** A referenced Secret or ConfigMap (key) that does not exist: the container never starts. */
  private static Optional<Verdict> containerConfig(Evidence e) {
    return containerStatuses(e.pod())
        .filter(cs -> waiting(cs) != null
            && "CreateContainerConfigError".equals(waiting(cs).getReason()))
        .findFirst()
        .map(cs -> new Verdict(FailureType.BAD_ARGUMENTS,
            "container " + cs.getName() + " cannot be created: " + nullToEmpty(waiting(cs).getMessage()),
            "create the Secret (and key) the spec names in namespace "
                + (e.job() != null ? e.job() : e.pod()).getMetadata().getNamespace() + ", then resume"));
  }

  private static Optional<Verdict> oomKilled(Evidence e) {
    return containerStatuses(e.pod())
        .filter(cs -> terminated(cs) != null && "OOMKilled".equals(terminated(cs).getReason()))
        .findFirst()
        .map(cs -> new Verdict(FailureType.OUT_OF_MEMORY,
            "container " + cs.getName() + " was OOMKilled (exit code "
                + terminated(cs).getExitCode() + "): it used more than its memory limit",
            "host memory, not GPU memory, ran out: raise the stage's memory or lower "
                + "training.microBatchSize / training.maxSeqLen. " + estimateText(e)));
  }

  private static Optional<Verdict> nodeProblem(Evidence e) {
    if (e.pod() == null || e.pod().getStatus() == null) {
      return Optional.empty();
    }
    PodStatus s = e.pod().getStatus();
    Optional<PodCondition> disruption = condition(e.pod(), "DisruptionTarget")
        .filter(c -> "True".equals(c.getStatus()));
    String what;
    if (s.getReason() != null && NODE_REASONS.contains(s.getReason())) {
      what = "pod " + name(e.pod()) + " " + s.getReason() + ": " + nullToEmpty(s.getMessage());
    } else if (disruption.isPresent()) {
      what = "pod " + name(e.pod()) + " was disrupted (" + disruption.get().getReason() + "): "
          + nullToEmpty(disruption.get().getMessage());
    } else if ("Unknown".equals(s.getPhase()) && jobFailure(e.job()).isPresent()) {
      what = "pod " + name(e.pod()) + " is in phase Unknown: its node stopped reporting";
    } else {
      return Optional.empty();
    }
    return Optional.of(new Verdict(FailureType.TRANSIENT, what,
        "the node, not the stage, failed; the stage is launched again"));
  }

  private static Optional<Verdict> unschedulable(Evidence e) {
    Optional<PodCondition> c = condition(e.pod(), "PodScheduled")
        .filter(pc -> "False".equals(pc.getStatus()) && "Unschedulable".equals(pc.getReason()));
    if (c.isEmpty()) {
      return Optional.empty();
    }
    Duration waited = since(c.get().getLastTransitionTime(), e.now());
    long limit = e.cluster().unschedulableTimeoutSeconds();
    boolean jobGaveUp = jobFailure(e.job()).isPresent();
    if (!jobGaveUp && waited.toSeconds() < limit) {
      return Optional.empty();
    }
    return Optional.of(new Verdict(FailureType.UNSCHEDULABLE,
        "pod " + name(e.pod()) + " could not be scheduled for " + waited.toSeconds()
            + " s (limit cluster.unschedulableTimeoutSeconds=" + limit + "): "
            + nullToEmpty(c.get().getMessage()),
        "no node has the requested resources free (" + e.cluster().gpuResource()
            + ", cpu, memory) or matches cluster.nodeSelector/tolerations; free a GPU, fix the "
            + "selector, or raise cluster.unschedulableTimeoutSeconds, then resume"));
  }

  private static Optional<Verdict> exitCode(Evidence e) {
    Optional<ContainerStatus> failed = containerStatuses(e.pod())
        .filter(cs -> terminated(cs) != null && terminated(cs).getExitCode() != null
            && terminated(cs).getExitCode() != 0)
        .findFirst();
    if (failed.isEmpty()) {
      return Optional.empty();
    }
    ContainerStateTerminated t = terminated(failed.get());
    int code = t.getExitCode();
    String said = stageError(t.getMessage()).orElseGet(() -> lastLine(t.getMessage(), e.logTail()));
    String what = "container " + failed.get().getName() + " exited with code " + code
        + (t.getReason() == null ? "" : " (" + t.getReason() + ")") + (said.isEmpty() ? "" : ": " + said);
    if (code == EXIT_BAD_ARGUMENTS && listsProblems(t.getMessage())) {
      // The stage listed records or lines of its input: the data is wrong, not the spec.
      return Optional.of(new Verdict(FailureType.BAD_ARGUMENTS, what,
          "the input data is wrong: fix the records listed below (or let the stage skip them,"
              + " e.g. dataset.onInvalid: skip) and resume"));
    }
    if (code == EXIT_BAD_ARGUMENTS) {
      return Optional.of(new Verdict(FailureType.BAD_ARGUMENTS, what,
          "the stage rejected its arguments or input; fix the spec value the message names and resume"));
    }
    if (code == EXIT_OUTPUT_INVALID) {
      return Optional.of(new Verdict(FailureType.OUTPUT_INVALID, what,
          "the stage ran but its output failed validation; the log tail says which file"));
    }
    if (code == EXIT_CUDA_OOM || mentionsCudaOom(t.getMessage(), e.logTail())) {
      return Optional.of(new Verdict(FailureType.OUT_OF_MEMORY, what, gpuOomHint(e)));
    }
    return Optional.of(new Verdict(FailureType.STAGE_FAILED, what,
        "the log tail shows the error; fix its cause and resume"));
  }

  /**
   * The Job ran past activeDeadlineSeconds on a healthy node (node problems were matched before):
   * retrying would burn the same GPU time again, so it pauses. Checked before exit codes because
   * the controller's SIGTERM leaves exit code 143 behind.
   */
  private static Optional<Verdict> deadlineExceeded(Evidence e) {
    Optional<JobCondition> failed = jobFailure(e.job())
        .filter(c -> "DeadlineExceeded".equals(c.getReason()));
    if (failed.isEmpty()) {
      // A pod that is gone is no sign of a node problem here: the Job controller deletes the
      // pods it stops at the deadline.
      return Optional.empty();
    }
    Long deadline = e.job().getSpec() == null ? null : e.job().getSpec().getActiveDeadlineSeconds();
    return Optional.of(new Verdict(FailureType.STAGE_FAILED,
        "Job " + e.job().getMetadata().getName() + " ran longer than its timeout of " + deadline
            + " s (DeadlineExceeded)",
        "check the log tail for a hang or slow progress, or raise the stage's timeout: resume with"
            + " --set cluster.stageTimeoutSeconds." + stageOf(e.job()) + "=SECONDS"));
  }

  /** The stage a Job runs, from the label every stage Job carries. */
  private static String stageOf(Job job) {
    Map<String, String> labels = job.getMetadata().getLabels();
    String stage = labels == null ? null : labels.get(FineflowLabels.STAGE);
    return stage == null ? "STAGE" : stage;
  }

  private static Optional<Verdict> jobFailed(Evidence e) {
    Optional<JobCondition> failed = jobFailure(e.job());
    if (failed.isEmpty()) {
      return Optional.empty();
    }
    JobCondition c = failed.get();
    String what = "Job " + e.job().getMetadata().getName() + " failed (" + c.getReason() + "): "
        + nullToEmpty(c.getMessage());
    if (e.pod() == null) {
      // The pod is gone with no trace of its end: deleted with its node (pod GC) or by hand.
      return Optional.of(new Verdict(FailureType.TRANSIENT, what + "; its pod no longer exists",
          "the stage is launched again"));
    }
    return Optional.of(new Verdict(FailureType.STAGE_FAILED,
        what + "; pod phase " + e.pod().getStatus().getPhase() + " "
            + nullToEmpty(e.pod().getStatus().getMessage()),
        "the log tail shows the error; fix its cause and resume"));
  }

  static boolean mentionsCudaOom(String message, List<String> logTail) {
    if (message != null && CUDA_OOM.matcher(message).find()) {
      return true;
    }
    return logTail.stream().anyMatch(l -> CUDA_OOM.matcher(l).find());
  }

  private static String gpuOomHint(Evidence e) {
    return "the GPU ran out of memory (" + e.cluster().gpuCount() + " x "
        + e.cluster().gpuMemoryGib() + " GiB). " + estimateText(e)
        + " Lower training.microBatchSize or training.maxSeqLen, turn on "
        + "training.gradientCheckpointing, use method qlora, or for engine-build lower "
        + "engine.maxBatchSize / engine.maxNumTokens; resume with --set.";
  }

  private static String estimateText(Evidence e) {
    return e.memoryEstimate() == null
        ? "Run `fineflow estimate SPEC` for the preflight memory estimate."
        : "Preflight estimate: " + e.memoryEstimate() + ".";
  }

  /** The Job's terminal failure condition, if it has one. */
  static Optional<JobCondition> jobFailure(Job job) {
    if (job == null || job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()))
        .findFirst();
  }

  private static Stream<ContainerStatus> containerStatuses(Pod pod) {
    if (pod == null || pod.getStatus() == null) {
      return Stream.empty();
    }
    List<ContainerStatus> all = new ArrayList<>();
    if (pod.getStatus().getInitContainerStatuses() != null) {
      all.addAll(pod.getStatus().getInitContainerStatuses());
    }
    if (pod.getStatus().getContainerStatuses() != null) {
      all.addAll(pod.getStatus().getContainerStatuses());
    }
    return all.stream();
  }

  static Optional<PodCondition> condition(Pod pod, String type) {
    if (pod == null || pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static ContainerStateWaiting waiting(ContainerStatus cs) {
    return cs.getState() == null ? null : cs.getState().getWaiting();
  }

  private static ContainerStateTerminated terminated(ContainerStatus cs) {
    return cs.getState() == null ? null : cs.getState().getTerminated();
  }

  /**
   * The error a fineflow stage program reported: its termination message on failure is
   * {@code {"error": "...", "problems": ["...", ...]}}.
   */
  /** True when the stage's termination message lists problems of its input (records, lines). */
  static boolean listsProblems(String message) {
    if (message == null || !message.strip().startsWith("{")) {
      return false;
    }
    try {
      return JSON.readTree(message.strip()).path("problems").size() > 0;
    } catch (JsonProcessingException ex) {
      return false;
    }
  }

  static Optional<String> stageError(String message) {
    if (message == null || !message.strip().startsWith("{")) {
      return Optional.empty();
    }
    try {
      JsonNode node = JSON.readTree(message.strip());
      if (!node.hasNonNull("error")) {
        return Optional.empty();
      }
      String error = node.get("error").asText();
      List<String> more = new ArrayList<>();
      // The first problem is usually the error's own detail; list only the others.
      node.path("problems").forEach(p -> {
        if (!error.contains(p.asText())) {
          more.add(p.asText());
        }
      });
      return Optional.of(more.isEmpty() ? error : error + " (also: " + String.join("; ", more) + ")");
    } catch (JsonProcessingException ex) {
      return Optional.empty();
    }
  }

  /** The last non-blank line of the termination message, else of the log tail. */
  private static String lastLine(String message, List<String> logTail) {
    List<String> lines = new ArrayList<>();
    if (message != null) {
      lines.addAll(List.of(message.split("\n")));
    }
    if (lines.stream().allMatch(String::isBlank)) {
      lines = new ArrayList<>(logTail);
    }
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (!lines.get(i).isBlank()) {
        return lines.get(i).strip();
      }
    }
    return "";
  }

  private static Duration since(String timestamp, Instant now) {
    if (timestamp == null) {
      return Duration.ZERO;
    }
    try {
      return Duration.between(Instant.parse(timestamp), now);
    } catch (DateTimeParseException ex) {
      return Duration.ZERO;
    }
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static String name(Pod pod) {
    return pod.getMetadata() == null ? "?" : pod.getMetadata().getName();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s.strip();
  }

  @SafeVarargs
  private static <T> Optional<T> firstPresent(Optional<T>... options) {
    for (Optional<T> o : options) {
      if (o.isPresent()) {
        return o;
      }
    }
    return Optional.empty();
  }
}
