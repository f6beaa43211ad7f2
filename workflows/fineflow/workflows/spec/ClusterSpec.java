package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Map;

/** Where and how stage pods run. Secrets are named, never inlined. */
public record ClusterSpec(
    @JsonPropertyDescription("Namespace of the run's Jobs and Deployments; the worker's --namespace when omitted.")
    String namespace,
    Map<String, String> nodeSelector,
    List<TolerationSpec> tolerations,
    @JsonPropertyDescription("Extended resource name of the GPU.")
    String gpuResource,
    @JsonPropertyDescription("GPUs per GPU stage.")
    Integer gpuCount,
    @JsonPropertyDescription("Memory of one GPU in GiB (for the preflight memory check).")
    Double gpuMemoryGib,
    @JsonPropertyDescription("ReadWriteMany PVC mounted at /workspace in every stage.")
    String workspacePvc,
    List<String> imagePullSecrets,
    String serviceAccount,
    @JsonPropertyDescription("Kueue LocalQueue; sets kueue.x-k8s.io/queue-name on every Job.")
    String kueueQueue,
    @JsonPropertyDescription("How long a GPU pod may stay unschedulable before the stage pauses.")
    Integer unschedulableTimeoutSeconds,
    @JsonPropertyDescription("Seconds finished Jobs are kept (ttlSecondsAfterFinished).")
    Integer ttlSecondsAfterFinished,
    @JsonPropertyDescription("Registry (and path) of fineflow's own images: <imageRegistry>/fineflow,"
        + " /trainer and /fineflow-benchmark, built from images/*/Dockerfile.")
    String imageRegistry,
    @JsonPropertyDescription("Tag of fineflow's own images; fineflow's version when omitted.")
    String imageTag,
    @JsonPropertyDescription("Timeouts in seconds by stage name (the Job's activeDeadlineSeconds, a server's"
        + " readiness limit), e.g. {train: 43200}; a stage not named keeps its planned timeout"
        + " (fineflow plan shows it). Not part of any cache key: raising one and resuming re-runs"
        + " only the stage that ran out of time.")
    Map<String, Integer> stageTimeoutSeconds) {

  /** Where {@code images/*}/Dockerfile are pushed by default (README "Images"). */
  public static final String DEFAULT_IMAGE_REGISTRY = "ghcr.io/fineflow";
  /** fineflow's version: the tag its release pushes its images under. */
  public static final String DEFAULT_IMAGE_TAG = "0.1.0";
  /** images/fineflow/Dockerfile: the CLI, the worker and the Java stages. */
  public static final String FINEFLOW_IMAGE = "fineflow";
  /** images/trainer/Dockerfile: train.py's libraries on the NGC PyTorch image. */
  public static final String TRAINER_IMAGE = "trainer";
  /** images/benchmark/Dockerfile: genai-perf, vllm bench and fineflow. */
  public static final String BENCHMARK_IMAGE = "fineflow-benchmark";

  /**
   * The stage names {@link #stageTimeoutSeconds} may name: the ids of the plan's StageName,
   * which the spec package cannot import (the planner depends on the spec); a test keeps the
   * two lists equal.
   */
  public static final List<String> STAGES = List.of("model-fetch", "dataset-prep", "train",
      "lora-convert", "checkpoint-convert", "engine-build", "triton-repo", "rollout", "baseline",
      "benchmark");

  public ClusterSpec {
    nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
    tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
    gpuResource = gpuResource == null ? "nvidia.com/gpu" : gpuResource;
    gpuCount = gpuCount == null ? 1 : gpuCount;
    gpuMemoryGib = gpuMemoryGib == null ? 80.0 : gpuMemoryGib;
    workspacePvc = workspacePvc == null ? "fineflow-workspace" : workspacePvc;
    imagePullSecrets = imagePullSecrets == null ? List.of() : List.copyOf(imagePullSecrets);
    serviceAccount = serviceAccount == null ? "fineflow-stage" : serviceAccount;
    unschedulableTimeoutSeconds = unschedulableTimeoutSeconds == null ? 1800 : unschedulableTimeoutSeconds;
    ttlSecondsAfterFinished = ttlSecondsAfterFinished == null ? 86400 : ttlSecondsAfterFinished;
    imageRegistry = imageRegistry == null ? DEFAULT_IMAGE_REGISTRY : imageRegistry.replaceAll("/+$", "");
    imageTag = imageTag == null ? DEFAULT_IMAGE_TAG : imageTag;
    stageTimeoutSeconds = stageTimeoutSeconds == null ? Map.of() : Map.copyOf(stageTimeoutSeconds);
  }

  public static ClusterSpec defaults() {
    return new ClusterSpec(null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null);
  }

  /**
   * One of fineflow's own images ({@link #FINEFLOW_IMAGE}, {@link #TRAINER_IMAGE},
   * {@link #BENCHMARK_IMAGE}) in this cluster's registry at its tag: the one place their
   * registry and tag are decided.
   */
  public String ownImage(String name) {
    return imageRegistry + "/" + name + ":" + imageTag;
  }
}
