package fineflow.workflows.pipeline;

import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.PlanDiff;
import fineflow.workflows.plan.Planner;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecException;
import fineflow.workflows.spec.SpecLoader;
import fineflow.workflows.spec.SpecPatch;
import fineflow.workflows.spec.SpecProblem;
import fineflow.workflows.spec.SpecValidator;
import io.temporal.workflow.unsafe.WorkflowUnsafe;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The spec and plan a resume moves a run to. Pure (parsing, validation and planning only),
 * so the update validator and the update handler compute the same revision on every replay.
 *
 * @param planned the plan of the patched spec, as the planner made it, with the stages the patch
 *     leaves alone as the run planned them
 * @param plan {@code planned} with the run's recorded digests that still hold folded in
 */
record Revision(PipelineSpec spec, Plan planned, Plan plan, PlanDiff diff) {

  static final String YAML_SOURCE = "resume";

  /**
   * @throws IllegalArgumentException listing every problem of the patched spec, which rejects
   *     the update before it enters history
   */
  static Revision next(PipelineSpec current, Plan currentPlanned, Plan currentPlan,
      ResumeRequest request) {
    // Parsing and planning are deterministic but may take over a second on a cold worker
    // (class loading), which the deadlock detector would take for a blocked workflow thread.
    return WorkflowUnsafe.deadlockDetectorOff(
        () -> compute(current, currentPlanned, currentPlan, request));
  }

  private static Revision compute(PipelineSpec current, Plan currentPlanned, Plan currentPlan,
      ResumeRequest request) {
    if (request.replacesSpec() && !request.set().isEmpty()) {
      throw new IllegalArgumentException(
          "give either --set assignments or a whole spec to resume with, not both");
    }
    PipelineSpec patched;
    Plan planned;
    try {
      patched = request.replacesSpec()
          ? SpecLoader.load(request.specYaml(), YAML_SOURCE)
          : SpecPatch.apply(current, request.set());
      List<SpecProblem> problems = SpecValidator.validate(patched);
      if (!problems.isEmpty()) {
        throw rejected(problems);
      }
      // What the patch leaves alone stays as the run planned it, whatever this code would key
      // it now (Plan.keepingUnpatched): the resume re-runs what the patch changes, no more.
      planned = Planner.plan(patched).keepingUnpatched(Planner.plan(current), currentPlanned);
    } catch (SpecException e) {
      throw rejected(e.problems());
    }
    // A recorded digest holds while its stage's key does (Plan.pinned); model-fetch and
    // dataset-prep run again after the resume all the same, and re-key what they changed.
    Plan plan = planned.pinned(currentPlan.pins());
    return new Revision(patched, planned, plan, PlanDiff.between(currentPlan, plan));
  }

  private static IllegalArgumentException rejected(List<SpecProblem> problems) {
    return new IllegalArgumentException(problems.stream().map(SpecProblem::toString)
        .collect(Collectors.joining("\n  ", "the patched spec is invalid (" + problems.size()
            + (problems.size() == 1 ? " problem" : " problems") + "):\n  ", "")));
  }
}
