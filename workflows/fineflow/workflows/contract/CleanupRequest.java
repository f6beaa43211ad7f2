package fineflow.workflows.contract;

import java.util.List;

/**
 * @param keepServing keep the stable track (Deployment, Service, files ConfigMap) serving and
 *     delete the candidate only; the workflow's abort and cancel always ask for this, because a
 *     run's label is also on the stable revision it promoted or adopted
 * @param stages only the objects of these stages ({@code fineflow.dev/stage}); null or empty:
 *     all of the run's (the baseline server is released alone once the benchmark is done)
 */
public record CleanupRequest(String runId, String namespace, boolean keepServing, List<String> stages) {
  public CleanupRequest {
    stages = stages == null ? List.of() : List.copyOf(stages);
  }

  public CleanupRequest(String runId, String namespace, boolean keepServing) {
    this(runId, namespace, keepServing, List.of());
  }
}
