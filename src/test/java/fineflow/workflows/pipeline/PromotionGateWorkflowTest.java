package fineflow.workflows.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fineflow.workflows.contract.CleanupResult;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.gate.BenchmarkPoint;
import fineflow.workflows.gate.BenchmarkSummary;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.PlanDiff;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.ServingSpec;
import fineflow.workflows.spec.SloSpec;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The promotion gate after the benchmark: promote, or pause with the comparison table. */
class PromotionGateWorkflowTest {
  private static final String NAMESPACE = "ml";
  /** TTFT p99 at concurrency 16 must stay under 200 ms. */
  private static final SloSpec SLO = new SloSpec(16, 200.0, null, null);

  private PipelineTestEnv temporal;
  private FakeCluster cluster;

  @BeforeEach
  void startServer() {
    temporal = new PipelineTestEnv();
    cluster = temporal.cluster;
    cluster.secrets.put(TestPlans.HF_SECRET, "hf_token_of_the_test");
  }

  @AfterEach
  void stopServer() {
    temporal.close();
  }

  private static PipelineSpec gated(SloSpec slo) {
    PipelineSpec s = TestPlans.spec("dazai");
    ServingSpec d = ServingSpec.defaults();
    ServingSpec serving = new ServingSpec(d.backend(), d.replicas(), d.instanceCounts(),
        d.decoupled(), d.kvCacheFreeGpuMemFraction(), d.logitsDatatype(),
        d.batchingStrategy(), d.maxQueueDelayMicroseconds(), d.extraOptions(), d.image(), slo);
    return new PipelineSpec(s.apiVersion(), s.kind(), s.metadata(), s.model(), s.dataset(),
        s.training(), s.engine(), serving, s.benchmark(), s.cluster());
  }

  private PipelineWorkflow start(String runId, PipelineSpec spec) {
    Plan plan = TestPlans.plan(spec, "v1");
    return temporal.start(new PipelineRequest(runId, NAMESPACE, spec, plan));
  }

  private void benchmarkMeasures(double ttftP99Ms) {
    cluster.benchmarkMetrics = new BenchmarkSummary(List.of(
        new BenchmarkPoint(1, 40.0, 35.0, 9.0, 110.0, 110.0),
        new BenchmarkPoint(16, ttftP99Ms, 90.0, 14.0, 1200.0, 75.0)), List.of()).toMetrics();
  }

  @Test
  void aCandidateWithinItsSlosIsPromoted() {
    benchmarkMeasures(150.0);
    PipelineWorkflow run = start("dazai-00000101", gated(SLO));

    RunOutcome outcome = temporal.result("dazai-00000101");

    String revision = TestPlans.plan(gated(SLO), "v1").stage(StageName.ROLLOUT).orElseThrow()
        .shortKey();
    assertThat(cluster.promotions).singleElement().satisfies(p -> {
      assertThat(p.revision()).isEqualTo(revision);
      assertThat(p.runId()).isEqualTo("dazai-00000101");
      assertThat(p.namespace()).isEqualTo(NAMESPACE);
    });
    GateStatus gate = run.progress().gate();
    assertThat(gate.gated()).isTrue();
    assertThat(gate.verdict().pass()).isTrue();
    assertThat(gate.promoted()).isTrue();
    assertThat(gate.stableService()).isEqualTo("dazai-stable");
    assertThat(gate.revision()).isEqualTo(revision);
    assertThat(outcome.stages()).filteredOn(row -> row.stage() == StageName.BENCHMARK)
        .singleElement().satisfies(row -> assertThat(row.state()).isEqualTo(StageState.SUCCEEDED));
  }

  @Test
  void anUngatedRunLeavesPromotionToTheRollout() {
    start("dazai-00000102", TestPlans.spec("dazai"));

    temporal.result("dazai-00000102");

    assertThat(cluster.promotions).isEmpty();
    // No promotion-gate version marker (dataset-prep's content-keys marker is there).
    assertThat(temporal.history("dazai-00000102").getEvents())
        .noneMatch(e -> e.hasMarkerRecordedEventAttributes()
            && e.getMarkerRecordedEventAttributes().getMarkerName().equals("Version")
            && e.getMarkerRecordedEventAttributes().getDetailsMap().get("changeId").getPayloads(0)
                .getData().toStringUtf8().contains(PipelineWorkflowImpl.PROMOTION_GATE));
  }

  @Test
  void aMissedSloPausesWithTheTableAndAnAcceptPromotes() {
    benchmarkMeasures(480.0);
    PipelineWorkflow run = start("dazai-00000103", gated(SLO));
    temporal.sleep(Duration.ofHours(2));

    RunProgress paused = run.progress();
    assertThat(paused.runState()).isEqualTo(RunState.PAUSED);
    assertThat(paused.pausedStage()).isEqualTo(StageName.BENCHMARK);
    StageStatus bench = paused.stage(StageName.BENCHMARK).orElseThrow();
    assertThat(bench.state()).isEqualTo(StageState.PAUSED);
    assertThat(bench.failure().reason()).isEqualTo(FailureType.SLO_NOT_MET.type());
    assertThat(bench.failure().message()).contains("TTFT p99 (ms) at concurrency 16");
    assertThat(bench.failure().hint()).contains("resume --accept");
    assertThat(bench.failure().logTail()).anySatisfy(line -> assertThat(line).startsWith("CHECK"))
        .anySatisfy(line -> assertThat(line).contains("480.00").contains("<= 200.00")
            .contains("FAIL"));
    assertThat(bench.result().metrics()).containsKey("c16.ttftP99Ms");
    assertThat(paused.gate().verdict().pass()).isFalse();
    assertThat(paused.gate().promoted()).isFalse();
    assertThat(cluster.promotions).isEmpty();
    assertThat(temporal.describe("dazai-00000103").getTypedSearchAttributes()
        .get(RunSearchAttributes.STATE)).isEqualTo("paused");
    assertThatThrownBy(() -> run.resume(new ResumeRequest(List.of("engine.maxBatchSize=8"), null,
        true))).isInstanceOf(WorkflowUpdateException.class).rootCause()
        .hasMessageContaining("without --set");

    PlanDiff diff = run.resume(ResumeRequest.acceptingCandidate());
    RunOutcome outcome = temporal.result("dazai-00000103");

    assertThat(diff.toRun()).isEmpty();
    assertThat(cluster.promotions).hasSize(1);
    assertThat(cluster.launches(StageName.BENCHMARK)).isEqualTo(1);
    assertThat(cluster.launches(StageName.ROLLOUT)).isEqualTo(1);
    RunProgress done = run.progress();
    assertThat(done.runState()).isEqualTo(RunState.SUCCEEDED);
    assertThat(done.gate().accepted()).isTrue();
    assertThat(done.gate().promoted()).isTrue();
    assertThat(done.specRevision()).isEqualTo(1);
    assertThat(outcome.stages()).filteredOn(row -> row.stage() == StageName.BENCHMARK)
        .singleElement().satisfies(row -> {
          assertThat(row.state()).isEqualTo(StageState.SUCCEEDED);
          assertThat(row.failure().reason()).isNull();
        });
  }

  @Test
  void relaxingTheSloRechecksTheGateWithoutBenchmarkingAgain() {
    benchmarkMeasures(480.0);
    PipelineSpec spec = gated(SLO);
    Plan plan = Planner.plan(spec);
    PipelineWorkflow run = temporal.start(new PipelineRequest("dazai-00000106", NAMESPACE, spec, plan));
    temporal.sleep(Duration.ofHours(2));
    assertThat(run.progress().pausedStage()).isEqualTo(StageName.BENCHMARK);

    PlanDiff diff = run.resume(ResumeRequest.assignments(List.of("serving.slo.ttftP99Ms=500")));
    temporal.result("dazai-00000106");

    assertThat(diff.toRun()).isEmpty();
    assertThat(cluster.launches(StageName.BENCHMARK)).isEqualTo(1);
    assertThat(cluster.promotions).hasSize(1);
    RunProgress done = run.progress();
    assertThat(done.specRevision()).isEqualTo(2);
    assertThat(done.gate().verdict().pass()).isTrue();
    assertThat(done.gate().accepted()).isFalse();
    assertThat(done.stage(StageName.BENCHMARK).orElseThrow().state()).isEqualTo(StageState.SUCCEEDED);
  }

  @Test
  void acceptIsRefusedWhenAStageFailedRatherThanTheGate() {
    PipelineSpec spec = gated(SLO);
    cluster.failingKeys.put(TestPlans.plan(spec, "v1").stage(StageName.ENGINE_BUILD).orElseThrow()
        .cacheKey(), FailureType.OUT_OF_MEMORY);
    PipelineWorkflow run = start("dazai-00000104", spec);
    temporal.sleep(Duration.ofHours(2));

    assertThatThrownBy(() -> run.resume(ResumeRequest.acceptingCandidate()))
        .isInstanceOf(WorkflowUpdateException.class).rootCause()
        .hasMessageContaining("not by its promotion gate");
    assertThat(run.progress().runState()).isEqualTo(RunState.PAUSED);
  }

  @Test
  void abortAtTheGateRemovesTheCandidateAndKeepsTheStableServer() {
    benchmarkMeasures(480.0);
    PipelineWorkflow run = start("dazai-00000105", gated(SLO));
    temporal.sleep(Duration.ofHours(2));

    CleanupResult cleanup = run.abort(new AbortRequest("too slow"));

    assertThat(cleanup.deleted()).contains("Job/dazai-00000105-rollout-1");
    assertThat(cluster.cleanups).singleElement()
        .satisfies(c -> assertThat(c.keepServing()).isTrue());
    assertThat(cluster.promotions).isEmpty();
    assertThatThrownBy(() -> temporal.result("dazai-00000105"))
        .isInstanceOf(WorkflowFailedException.class).cause()
        .isInstanceOfSatisfying(ApplicationFailure.class, failure ->
            assertThat(failure.getOriginalMessage()).isEqualTo("Aborted at stage benchmark: too slow"));
    assertThat(run.progress().stage(StageName.BENCHMARK).orElseThrow().state())
        .isEqualTo(StageState.FAILED);
  }
}
