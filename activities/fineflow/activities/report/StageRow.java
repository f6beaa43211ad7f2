package fineflow.activities.report;

import fineflow.workflows.contract.Artifact;
import java.util.List;

/**
 * One stage of a run as the report lists it.
 *
 * @param state e.g. succeeded, cached, failed, skipped
 * @param durationSeconds null when the stage did not run
 * @param simulated the stage's result is marked simulated (the embedded dev stack's node ran it)
 */
public record StageRow(String stage, String state, Long durationSeconds, List<Artifact> artifacts,
    boolean simulated) {
  public StageRow {
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
  }
}
