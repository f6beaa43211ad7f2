package fineflow.workers.bench.floor;

import io.temporal.activity.ActivityInterface;

/** The floor's one activity: it records when it ran and returns. */
@ActivityInterface
public interface FloorActivities {
  void step(String chain, int index);
}
