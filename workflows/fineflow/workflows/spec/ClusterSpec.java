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
    Integer ttlSecondsAfterFinished) {

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
  }

  public static ClusterSpec defaults() {
    return new ClusterSpec(null, null, null, null, null, null, null, null, null, null, null, null);
  }
}
