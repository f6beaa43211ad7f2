package fineflow.workflows.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.workflows.contract.StageFailure;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.PipelineSpec;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The launch log the audit shows, and the Markdown stage table of the UI's current details. */
class StageLaunchTest {
  private final PipelineSpec spec = TestPlans.spec("dazai");
  private final Plan plan = Planner.plan(spec);
  private final Instant t0 = Instant.parse("2026-11-26T01:00:00Z");

  @Test
  void everyLaunchIsKeptWithItsRevisionAndOutcomeAcrossAPauseAndAResume() {
    PipelineState state = new PipelineState(new PipelineRequest("dazai-1", "ml", spec, plan), t0);
    Stage build = plan.stage(StageName.ENGINE_BUILD).orElseThrow();
    state.launching(build, t0);
    state.launched(build, "dazai-1-engine-build-1", false);
    state.paused(build, new StageFailure("engine-build", "OutOfMemory", "killed: out of memory",
        "lower engine.maxBatchSize", List.of()), t0.plusSeconds(60));
    state.revised(Revision.next(state.spec(), state.planned(), state.plan(), ResumeRequest.assignments(List.of("engine.maxBatchSize=8"))));
    Stage rebuilt = state.plan().stage(StageName.ENGINE_BUILD).orElseThrow();
    state.launching(rebuilt, t0.plusSeconds(120));
    assertThat(state.currentLaunch(rebuilt).label()).isEqualTo("engine-build launch 2, revision 2");
    state.launched(rebuilt, "dazai-1-engine-build-2", true);
    state.succeeded(rebuilt, new StageResult(StageName.ENGINE_BUILD, rebuilt.cacheKey(), "dazai-1-engine-build-2",
        "dazai-1-engine-build-2-pod", List.of(), null, null, false), t0.plusSeconds(180));

    List<StageLaunch> launches = state.progress().launchesOf(StageName.ENGINE_BUILD);
    assertThat(launches).extracting(StageLaunch::launch, StageLaunch::revision, StageLaunch::outcome,
        StageLaunch::pausedRun, StageLaunch::adopted).containsExactly(
        org.assertj.core.groups.Tuple.tuple(1, 1, StageLaunch.Outcome.FAILED, true, false),
        org.assertj.core.groups.Tuple.tuple(2, 2, StageLaunch.Outcome.SUCCEEDED, false, true));
    assertThat(launches.get(0).reason()).isEqualTo("OutOfMemory");
    assertThat(launches.get(0).hint()).isEqualTo("lower engine.maxBatchSize");
    assertThat(launches.get(1).podName()).isEqualTo("dazai-1-engine-build-2-pod");

    String table = StageTable.markdown(state.progress());
    assertThat(table).startsWith("**running**")
        .contains("spec revision 2", "| Stage | State | Launches | Started (UTC) | Finished (UTC) | Job |",
            "| engine-build | succeeded | 2 | 01:02:00 | 01:03:00 | dazai-1-engine-build-2 |",
            "- engine-build launch 1, revision 1: OutOfMemory, killed: out of memory (run paused)."
                + " Hint: lower engine.maxBatchSize")
        .doesNotContain("| baseline |");
  }

  @Test
  void theStaticDetailsNameTheModelBackendAndFullSpecDigest() {
    PipelineRequest request = new PipelineRequest("dazai-1", "ml", spec, plan);
    assertThat(RunSummary.of(request)).startsWith(RunSummary.of(spec))
        .endsWith(" · spec " + plan.specDigest().substring(0, 12));
    assertThat(RunSummary.details(request)).contains(TestPlans.MODEL, spec.serving().backend().wireName(),
        plan.specDigest(), "| ml |", "Stages: model-fetch → dataset-prep → train");
  }
}
