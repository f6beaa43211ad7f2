package fineflow.workers.bench.floor;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The Temporal floor of the orchestration benchmark: a bare workflow that runs {@code steps}
 * no-op activities in sequence. What it costs between two activities is what any workflow on
 * the same server and worker pays, so fineflow's stage transition is judged against it.
 */
@WorkflowInterface
public interface FloorWorkflow {
  @WorkflowMethod
  void run(int steps);
}
