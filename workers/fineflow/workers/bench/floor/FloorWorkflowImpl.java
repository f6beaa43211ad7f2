package fineflow.workers.bench.floor;

import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/** Each step is one activity, scheduled when the previous one completes: nothing else. */
public final class FloorWorkflowImpl implements FloorWorkflow {
  private final FloorActivities activities = Workflow.newActivityStub(FloorActivities.class,
      // A no-op step that has not completed in 30 s was lost (3 of 100 chains' last steps, started
      // and never completed, on the real dev server under load: docs/performance.md); retried.
      ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(30)).build());

  @Override
  public void run(int steps) {
    String chain = Workflow.getInfo().getWorkflowId();
    for (int i = 0; i < steps; i++) {
      activities.step(chain, i);
    }
  }
}
