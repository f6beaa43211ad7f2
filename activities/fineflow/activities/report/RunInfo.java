package fineflow.activities.report;

import java.util.List;

/** What the report says about the run that produced the benchmark, when it is known. */
public record RunInfo(String runId, String pipeline, String specDigest, List<StageRow> stages) {
  public RunInfo {
    stages = stages == null ? List.of() : List.copyOf(stages);
  }
}
