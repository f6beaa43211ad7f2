package fineflow.workflows.contract;

import fineflow.workflows.plan.Stage;
import fineflow.workflows.spec.ClusterSpec;

/**
 * @param memoryEstimate the preflight's memory estimate of a training stage, as text, quoted in
 *     the hint when it runs out of memory; null for other stages
 */
public record AwaitRequest(
    String runId, String namespace, Stage stage, String objectName, ClusterSpec cluster,
    String memoryEstimate) {

  public AwaitRequest(String runId, String namespace, Stage stage, String objectName, ClusterSpec cluster) {
    this(runId, namespace, stage, objectName, cluster, null);
  }
}
