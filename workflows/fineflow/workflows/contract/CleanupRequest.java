package fineflow.workflows.contract;

/**
 * @param keepServing keep the stable track (Deployment, Service, files ConfigMap) serving and
 *     delete the candidate only; the workflow's abort and cancel always ask for this, because a
 *     run's label is also on the stable revision it promoted or adopted
 */
public record CleanupRequest(String runId, String namespace, boolean keepServing) {
}
