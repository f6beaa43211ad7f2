package fineflow.workflows.pipeline;

import fineflow.workflows.plan.Plan;
import fineflow.workflows.spec.PipelineSpec;
import java.util.Objects;

/**
 * The input of a run: the validated spec and its plan. The spec names Kubernetes Secrets and
 * never holds their values, so this record (and the history it lands in) carries no secret.
 *
 * @param runId also the workflow id, see {@link RunId}
 * @param namespace where the run's Jobs and Deployments go: the spec's {@code cluster.namespace},
 *     or the starter's default namespace when the spec has none
 */
public record PipelineRequest(String runId, String namespace, PipelineSpec spec, Plan plan) {
  public PipelineRequest {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(plan, "plan");
  }
}
