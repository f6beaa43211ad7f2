package fineflow.activities.report;

import java.time.Instant;
import java.util.List;

/**
 * What the report says about the run that produced the benchmark, when it is known.
 *
 * @param model the spec's {@code model.id}
 * @param engine the serving settings of the run's spec; null when the spec could not be read back
 * @param benchmarkedAt when the benchmark stage finished; null if it did not
 */
public record RunInfo(String runId, String pipeline, String specDigest, String model,
    EngineSettings engine, Instant benchmarkedAt, List<StageRow> stages) {
  public RunInfo {
    stages = stages == null ? List.of() : List.copyOf(stages);
  }

  /** The stages whose results the dev stack's simulated node made up (their result says so). */
  public List<String> simulatedStages() {
    return stages.stream().filter(StageRow::simulated).map(StageRow::stage).toList();
  }
}
