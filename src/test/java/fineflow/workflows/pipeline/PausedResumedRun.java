package fineflow.workflows.pipeline;

import fineflow.workflows.contract.FailureType;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.PipelineSpec;
import java.time.Duration;
import java.util.List;

/**
 * The scenario of the stored replay history: engine-build runs out of memory, the run pauses,
 * a resume sets engine.maxBatchSize=8, and the run completes without re-training.
 */
final class PausedResumedRun {
  static final String RUN_ID = "dazai-5e1f0c2a";
  static final String RESOURCE = "histories/paused-resumed-run.json";

  private PausedResumedRun() {
  }

  /** Runs the scenario to completion and returns the paused run's progress table. */
  static RunProgress play(PipelineTestEnv temporal) {
    PipelineSpec spec = TestPlans.spec("dazai");
    Plan plan = Planner.plan(spec);
    temporal.cluster.secrets.put(TestPlans.HF_SECRET, "hf_token_of_the_test");
    temporal.cluster.runtimes.put(StageName.TRAIN, Duration.ofMinutes(25));
    temporal.cluster.failingKeys.put(TestPlans.pinned(plan).stage(StageName.ENGINE_BUILD).orElseThrow().cacheKey(),
        FailureType.OUT_OF_MEMORY);
    PipelineWorkflow run = temporal.start(new PipelineRequest(RUN_ID, "ml", spec, plan));
    temporal.sleep(Duration.ofHours(2));
    RunProgress paused = run.progress();
    run.resume(ResumeRequest.assignments(List.of("engine.maxBatchSize=8")));
    temporal.result(RUN_ID);
    return paused;
  }
}
