package fineflow.workers.dev;

import java.nio.file.Path;
import fineflow.workers.worker.AwaitMode;
import java.time.Duration;

/**
 * Settings of the embedded dev stack.
 *
 * @param speed how many times faster than the manual run's real durations (docs/manual-procedure.md)
 *     simulated GPU stages run
 * @param stageDuration when set, every simulated stage takes exactly this long (benchmarks)
 * @param failStage stage whose first {@code failTimes} pods fail (to show pause and resume)
 * @param engines which engines to run on ({@code --engines})
 * @param gpus GPUs of the node agent's Node on real Kubernetes ({@code --gpus})
 */
public record DevOptions(
    int temporalPort, int kubernetesPort, Path workspace, double speed, Duration stageDuration,
    String failStage, int failTimes, String namespace, AwaitMode awaitMode, EngineChoice engines, int gpus) {

  public static final String DEFAULT_NAMESPACE = "fineflow";

  public DevOptions {
    if (speed <= 0) {
      throw new IllegalArgumentException("--speed must be > 0");
    }
    namespace = namespace == null ? DEFAULT_NAMESPACE : namespace;
    awaitMode = awaitMode == null ? AwaitMode.async : awaitMode;
    engines = engines == null ? EngineChoice.embedded : engines;
    if (gpus < 0) {
      throw new IllegalArgumentException("--gpus must be >= 0, got " + gpus);
    }
  }

  /** With one GPU on the node. */
  public DevOptions(int temporalPort, int kubernetesPort, Path workspace, double speed, Duration stageDuration,
      String failStage, int failTimes, String namespace, AwaitMode awaitMode, EngineChoice engines) {
    this(temporalPort, kubernetesPort, workspace, speed, stageDuration, failStage, failTimes, namespace, awaitMode,
        engines, 1);
  }

  /** On the embedded engines. */
  public DevOptions(int temporalPort, int kubernetesPort, Path workspace, double speed, Duration stageDuration,
      String failStage, int failTimes, String namespace, AwaitMode awaitMode) {
    this(temporalPort, kubernetesPort, workspace, speed, stageDuration, failStage, failTimes, namespace, awaitMode,
        EngineChoice.embedded);
  }

  /** The real control plane's data (etcd, certificates, kubeconfigs, logs): beside the workspace too. */
  public Path kubernetesDirectory() {
    return workspace.toAbsolutePath().resolveSibling("kubernetes");
  }

  /** The real Temporal server's SQLite file: beside the workspace, so a restart finds the runs again. */
  public Path temporalDatabase() {
    return workspace.toAbsolutePath().resolveSibling("temporal.db");
  }
}
