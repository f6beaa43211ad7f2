package fineflow.workers.cli;

import fineflow.workflows.plan.PlanDiff;

/**
 * A resume's plan diff as lines: which stages keep their results and which run. "keep" only
 * where the run has a result to reuse; a stage whose every launch failed is a "retry", one that
 * never ran is a "run", whether its key changed or not. model-fetch and dataset-prep "check":
 * they run again on every pass and re-key what reads them if their recorded sha changed. A
 * re-run names the input that changed its key; a baseline whose server was released "runs"
 * again when the benchmark does.
 */
final class PlanDiffText {
  private PlanDiffText() {
  }

  static String render(PlanDiff diff) {
    StringBuilder out = new StringBuilder();
    for (PlanDiff.Entry e : diff.stages()) {
      out.append(String.format("  %-7s%-18s", verb(e), e.stage().id()));
      if (e.change() == PlanDiff.Change.REMOVED || e.change() == PlanDiff.Change.ADDED) {
        out.append('\n');
        continue;
      }
      if (e.change() == PlanDiff.Change.RERUN) {
        out.append(" ").append(e.beforeKey(), 0, 12).append(" → ").append(e.afterKey(), 0, 12);
      } else {
        out.append(" ").append(e.afterKey(), 0, 12);
      }
      if (e.checks()) {
        out.append(" (runs again: ").append(e.why().replaceFirst("^runs on every pass: ", ""))
            .append(')');
      } else if (e.reused()) {
        out.append(" (result reused)");
      } else if (e.change() == PlanDiff.Change.KEPT && e.prior() == PlanDiff.Prior.RELEASED) {
        out.append(" (its server was released: launched again for the benchmark)");
      } else if (e.change() == PlanDiff.Change.RERUN && e.why() != null) {
        out.append(" (").append(e.why()).append(')');
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String verb(PlanDiff.Entry e) {
    return switch (e.change()) {
      case ADDED -> "add";
      case REMOVED -> "remove";
      case KEPT, RERUN -> e.checks() ? "check"
          : e.reused() ? "keep"
          : e.prior() == PlanDiff.Prior.FAILED ? "retry"
          : e.prior() == PlanDiff.Prior.NOT_RUN
              || e.change() == PlanDiff.Change.KEPT && e.prior() == PlanDiff.Prior.RELEASED ? "run"
          : "rerun";
    };
  }
}
