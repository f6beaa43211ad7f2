package fineflow.workflows.pipeline;

import java.util.List;

/** The result of a run that completed: every stage's final row, artifacts included. */
public record RunOutcome(
    String runId, String pipeline, String specDigest, int specRevision, List<StageStatus> stages) {

  public RunOutcome {
    stages = List.copyOf(stages);
  }
}
