package fineflow.workflows.contract;

import fineflow.workflows.plan.Stage;
import fineflow.workflows.spec.ClusterSpec;

/**
 * @param launch 1 for the first launch of this stage in the run, +1 for each re-launch after a
 *     resume or a retryable failure; part of the Job name, so a retried launch activity finds
 *     and adopts its own Job
 * @param specDigest annotation on the created objects, for audit
 */
public record LaunchRequest(
    String runId, String namespace, Stage stage, int launch, String specDigest,
    ClusterSpec cluster) {
}
