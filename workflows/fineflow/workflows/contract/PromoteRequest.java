package fineflow.workflows.contract;

/**
 * Switches the stable Service to a benchmarked candidate once the promotion gate passed (or
 * the user accepted the candidate).
 *
 * @param namespace null = the worker's default namespace
 * @param revision the candidate's revision label, from the rollout stage's result info
 */
public record PromoteRequest(String runId, String namespace, String revision) {
}
