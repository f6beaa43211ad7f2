package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workers.client.RunAudit;
import fineflow.workflows.contract.Artifact;
import fineflow.workflows.pipeline.StageState;
import fineflow.workflows.pipeline.StageStatus;
import fineflow.workflows.plan.StageName;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code show}'s STAGES column, from the rows the run's state holds. */
class ShowCommandTest {
  private static final Instant START = Instant.parse("2026-12-03T10:00:00Z");

  private static RunAudit.Stage stage(StageName name, List<Artifact> artifacts, String reason, String released) {
    return RunAudit.Stage.of(new StageStatus(name, StageState.SUCCEEDED,
        new StageStatus.Identity("ab".repeat(32), name.id(), null),
        new StageStatus.Launch(1, START, START.plusSeconds(90), "demo-1-" + name.id() + "-1", null),
        new StageStatus.Result(artifacts, null, null, false, released),
        new StageStatus.Failure(reason == null ? null : "the server answered 503", reason, null, null), null), List.of());
  }

  /** Issue 13: the baseline row says its server is gone, and why, where nothing else would. */
  @Test
  void theBaselineRowSaysTheRunReleasedItsServer() {
    assertThat(ShowCommand.detail(stage(StageName.BASELINE, List.of(), null,
        StageStatus.RELEASED_BENCHMARK_FAILED))).isEqualTo("released (benchmark failed)");
    assertThat(ShowCommand.detail(stage(StageName.BASELINE, List.of(), null,
        StageStatus.RELEASED_AFTER_BENCHMARK))).isEqualTo("released after benchmark");
    assertThat(ShowCommand.detail(stage(StageName.BASELINE, List.of(), "Transient", StageStatus.RELEASED_AFTER_BENCHMARK)))
        .isEqualTo("Transient: the server answered 503; released after benchmark");
  }

  @Test
  void aRowWithoutAReleasedServerShowsItsArtifactsAlone() {
    Artifact engine = new Artifact("engine", "/workspace/cache/engine-build-ab/engine", "cd".repeat(32), 2048);

    assertThat(ShowCommand.detail(stage(StageName.ENGINE_BUILD, List.of(engine), null, null)))
        .isEqualTo("engine /workspace/cache/engine-build-ab/engine (2.0 KiB, sha256 cdcdcdcdcdcd)");
    assertThat(ShowCommand.detail(stage(StageName.BASELINE, List.of(), null, null))).isEmpty();
  }
}
