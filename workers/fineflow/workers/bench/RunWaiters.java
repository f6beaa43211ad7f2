package fineflow.workers.bench;

import fineflow.activities.DaemonThreads;
import fineflow.activities.kubernetes.FineflowLabels;
import fineflow.workers.dev.StageTimeline;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Fetches a run's result once its last stage's pod has Succeeded, on two threads. Not one
 * long-poll per running pipeline: the Temporal test server parks a thread per waiting
 * history long-poll, which would put one thread per pipeline into the thread peak measured.
 * A run that pauses never gets there; the bench's timeout counts it as not completed.
 */
final class RunWaiters implements AutoCloseable {
  private final ExecutorService fetch = Executors.newFixedThreadPool(2, new DaemonThreads("bench-result"));
  private final Map<String, Runnable> waiting = new ConcurrentHashMap<>();

  RunWaiters(StageTimeline timeline, String lastStage) {
    timeline.onSucceeded((run, stage) -> {
      if (stage.equals(lastStage)) {
        Runnable r = waiting.remove(run);
        if (r != null) {
          fetch.execute(r);
        }
      }
    });
  }

  void add(String runId, Runnable onLastStageDone) {
    waiting.put(FineflowLabels.runValue(runId), onLastStageDone);
  }

  /** Runs still waited on (not completed by now); nothing is fetched after this. */
  @Override
  public void close() {
    waiting.clear();
    fetch.shutdownNow();
  }
}
