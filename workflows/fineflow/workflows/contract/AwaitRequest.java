package fineflow.workflows.contract;

import fineflow.workflows.plan.Stage;
import fineflow.workflows.spec.ClusterSpec;

public record AwaitRequest(
    String runId, String namespace, Stage stage, String objectName, ClusterSpec cluster) {
}
