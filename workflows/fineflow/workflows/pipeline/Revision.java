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
 */
record Revision(PipelineSpec spec, Plan plan, PlanDiff diff) {

  static final String YAML_SOURCE = "resume";

  /**
   * @throws IllegalArgumentException listing every problem of the patched spec, which rejects
   *     the update before it enters history
   */
  static Revision next(PipelineSpec current, Plan currentPlan, ResumeRequest request) {
    // Parsing and planning are deterministic but may take over a second on a cold worker
    // (class loading), which the deadlock detector would take for a blocked workflow thread.
    return WorkflowUnsafe.deadlockDetectorOff(() -> compute(current, currentPlan, request));
  }

  private static Revision compute(PipelineSpec current, Plan currentPlan, ResumeRequest request) {
    if (request.replacesSpec() && !request.set().isEmpty()) {
      throw new IllegalArgumentException(
          "give either --set assignments or a whole spec to resume with, not both");
    }
    PipelineSpec patched;
    Plan plan;
    try {
      patched = request.replacesSpec()
          ? SpecLoader.load(request.specYaml(), YAML_SOURCE)
          : SpecPatch.apply(current, request.set());
      List<SpecProblem> problems = SpecValidator.validate(patched);
      if (!problems.isEmpty()) {
        throw rejected(problems);
      }
      // The recorded model sha still holds while model-fetch's key does (Plan.pinned).
      plan = Planner.plan(patched);
      plan = currentPlan.modelPin() == null ? plan : plan.pinned(currentPlan.modelPin());
    } catch (SpecException e) {
      throw rejected(e.problems());
    }
    return new Revision(patched, plan, PlanDiff.between(currentPlan, plan));
  }

  private static IllegalArgumentException rejected(List<SpecProblem> problems) {
    return new IllegalArgumentException(problems.stream().map(SpecProblem::toString)
        .collect(Collectors.joining("\n  ", "the patched spec is invalid (" + problems.size()
            + (problems.size() == 1 ? " problem" : " problems") + "):\n  ", "")));
  }
}
