package fineflow.workflows.contract;

/**
 * @param keepServing true on a failed rollout: delete the candidate only, keep the stable
 *     Deployment serving
 */
public record CleanupRequest(String runId, String namespace, boolean keepServing) {
}
