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
 * @param launches every launch of every stage over the whole run, in launch order
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
    GateStatus gate,
    List<StageLaunch> launches) {

  public RunProgress {
    stages = List.copyOf(stages);
    launches = launches == null ? List.of() : List.copyOf(launches);
    gate = gate == null ? GateStatus.NONE : gate;
  }

  /** The launches of one stage, first to last. */
  public List<StageLaunch> launchesOf(StageName name) {
    return launches.stream().filter(l -> l.stage() == name).toList();
  }

  public Optional<StageStatus> stage(StageName name) {
    return stages.stream().filter(s -> s.stage() == name).findFirst();
  }
}
