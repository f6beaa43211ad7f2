package fineflow.workers.bench;

import fineflow.workers.dev.EngineChoice;
import fineflow.workers.worker.AwaitMode;
import fineflow.workers.worker.WorkerTuning;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One orchestration benchmark: {@code pipelines} runs of the full 8-stage plan, at most
 * {@code concurrency} in flight, every simulated stage taking {@code stageDuration}.
 *
 * @param workspace the dev stack's workspace (each run's real programs write there)
 * @param engines what the dev stack runs on, as {@code fineflow dev --engines}
 */
public record BenchSettings(int pipelines, int concurrency, Duration stageDuration, AwaitMode awaitMode,
    WorkerTuning tuning, Path workspace, EngineChoice engines) {

  public BenchSettings {
    if (pipelines < 1) {
      throw new IllegalArgumentException("--pipelines must be ≥ 1");
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("--concurrency must be ≥ 1");
    }
    if (stageDuration.isNegative()) {
      throw new IllegalArgumentException("--stage-seconds must be ≥ 0");
    }
  }
}
