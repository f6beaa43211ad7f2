package fineflow.workers.bench.floor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The floor's activities: each records its start (monotonic clock) under its chain and index.
 * The gap between step i and step i+1 of one chain is step i+1's start minus step i's end,
 * which is the round trip through the server: complete, workflow task, schedule, poll.
 */
public final class StepClock implements FloorActivities {
  private final Map<String, Map<Integer, long[]>> steps = new ConcurrentHashMap<>();

  @Override
  public void step(String chain, int index) {
    long start = System.nanoTime();
    // The end is taken just before returning: what follows is the SDK reporting completion.
    steps.computeIfAbsent(chain, c -> new ConcurrentHashMap<>()).put(index, new long[] {start, System.nanoTime()});
  }

  /** Every activity-to-activity gap of every chain, in milliseconds. */
  public List<Double> gapsMillis() {
    List<Double> gaps = new ArrayList<>();
    for (Map<Integer, long[]> chain : steps.values()) {
      for (int i = 1; chain.containsKey(i) && chain.containsKey(i - 1); i++) {
        gaps.add((chain.get(i)[0] - chain.get(i - 1)[1]) / 1e6);
      }
    }
    return gaps;
  }

  /** Chains whose every one of {@code steps} ran. */
  public long completeChains(int steps) {
    return this.steps.values().stream().filter(c -> c.size() == steps).count();
  }
}
