package fineflow.workers.dev;

import com.fasterxml.jackson.databind.JsonNode;
import fineflow.activities.kubernetes.FineflowLabels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * When each run's stages started (their Job or Deployment reached the API server) and ended
 * (their pod Succeeded on the simulated node or the node agent), by the {@code fineflow.dev/run} and
 * {@code fineflow.dev/stage} labels. {@code bench-orchestrator} reads the gaps between one
 * stage's end and the next one's start: the orchestration overhead a user pays between stages.
 */
public final class StageTimeline {
  private final Map<String, Long> created = new ConcurrentHashMap<>();
  private final Map<String, Long> succeeded = new ConcurrentHashMap<>();
  private final List<BiConsumer<String, String>> listeners = new CopyOnWriteArrayList<>();

  /** Called with (run label, stage) on the simulated node's thread when a stage's pod Succeeded. */
  public void onSucceeded(BiConsumer<String, String> listener) {
    listeners.add(listener);
  }

  /**
   * A Job or Deployment POST seen by its {@code metadata.labels}: its run and stage, and every
   * run among a shared server's users (the creating run is one of them).
   */
  public void created(JsonNode labels) {
    String stage = labels.path(FineflowLabels.STAGE).textValue();
    created(labels.path(FineflowLabels.RUN).textValue(), stage);
    labels.fieldNames().forEachRemaining(k -> {
      if (k.startsWith(FineflowLabels.USER_PREFIX)) {
        created(k.substring(FineflowLabels.USER_PREFIX.length()), stage);
      }
    });
  }

  /** The first create of a stage's object counts (a relaunch is a retry, not a transition). */
  public void created(String run, String stage) {
    if (run != null && stage != null) {
      created.putIfAbsent(key(run, stage), System.nanoTime());
    }
  }

  public void succeeded(String run, String stage) {
    if (run != null && stage != null) {
      succeeded.put(key(run, stage), System.nanoTime());
      listeners.forEach(l -> l.accept(run, stage));
    }
  }

  /**
   * Milliseconds from each stage's pod Succeeded to the next stage's object created, for
   * every run and every consecutive pair of {@code stageOrder} where both were seen.
   */
  public List<Double> transitionsMillis(List<String> runs, List<String> stageOrder) {
    List<Double> out = new ArrayList<>();
    for (String run : runs) {
      for (int i = 0; i + 1 < stageOrder.size(); i++) {
        Long end = succeeded.get(key(run, stageOrder.get(i)));
        Long next = created.get(key(run, stageOrder.get(i + 1)));
        if (end != null && next != null) {
          out.add((next - end) / 1e6);
        }
      }
    }
    return out;
  }

  /**
   * Milliseconds from one object's pod Succeeded to another's create, by their labels (the
   * Kubernetes floor's chains step from one run label to the next), or empty when either is unseen.
   */
  public OptionalDouble gapMillis(String endRun, String endStage, String nextRun, String nextStage) {
    Long end = succeeded.get(key(endRun, endStage));
    Long next = created.get(key(nextRun, nextStage));
    return end == null || next == null ? OptionalDouble.empty() : OptionalDouble.of((next - end) / 1e6);
  }

  private static String key(String run, String stage) {
    return run + "\u0000" + stage;
  }
}
