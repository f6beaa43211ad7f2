package fineflow.workflows.contract;

import fineflow.workflows.plan.StageName;
import java.util.List;
import java.util.Map;

/**
 * A succeeded stage's small result: what its pod wrote as termination message (JSON, &lt; 4 KiB).
 *
 * @param metrics numbers worth keeping (loss, peak GPU memory, tokens/s, …)
 * @param info short strings worth keeping (engine build settings, served config, …)
 * @param simulated true when the embedded dev stack faked the stage (no real GPU ran)
 */
public record StageResult(
    StageName stage,
    String cacheKey,
    String objectName,
    String podName,
    List<Artifact> artifacts,
    Map<String, Double> metrics,
    Map<String, String> info,
    boolean simulated) {

  public StageResult {
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    info = info == null ? Map.of() : Map.copyOf(info);
  }
}
