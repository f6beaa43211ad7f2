package fineflow.workflows.pipeline;

import fineflow.workflows.plan.StageName;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The answer of the {@code progress} query: the run's stage table and where the run is.
 *
 * @param specRevision 1 for the submitted spec, +1 for each accepted resume patch
 * @param pausedStage the stage the run waits on while {@code runState} is paused, else null
 * @param abortReason set once the run was aborted
 * @param gate the promotion gate's verdict and whether the candidate was promoted
 */
public record RunProgress(
    String runId,
    String pipeline,
    String model,
    String backend,
    String specDigest,
    int specRevision,
    RunState runState,
    Instant startedAt,
    Instant finishedAt,
    StageName currentStage,
    StageName pausedStage,
    String abortReason,
    List<StageStatus> stages,
    GateStatus gate) {

  public RunProgress {
    stages = List.copyOf(stages);
    gate = gate == null ? GateStatus.NONE : gate;
  }

  public Optional<StageStatus> stage(StageName name) {
    return stages.stream().filter(s -> s.stage() == name).findFirst();
  }
}
