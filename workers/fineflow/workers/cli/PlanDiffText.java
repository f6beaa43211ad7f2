package fineflow.workers.cli;

import fineflow.workflows.plan.PlanDiff;

/** A resume's plan diff as lines: which stages keep their results and which run again. */
final class PlanDiffText {
  private PlanDiffText() {
  }

  static String render(PlanDiff diff) {
    StringBuilder out = new StringBuilder();
    for (PlanDiff.Entry e : diff.stages()) {
      String mark = switch (e.change()) {
        case KEPT -> "  keep   ";
        case RERUN -> "  rerun  ";
        case ADDED -> "  add    ";
        case REMOVED -> "  remove ";
      };
      out.append(mark).append(String.format("%-18s", e.stage().id()));
      if (e.change() == PlanDiff.Change.RERUN) {
        out.append(" ").append(e.beforeKey(), 0, 12).append(" → ").append(e.afterKey(), 0, 12);
      } else if (e.change() == PlanDiff.Change.KEPT) {
        out.append(" ").append(e.afterKey(), 0, 12).append(" (result reused)");
      }
      out.append('\n');
    }
    return out.toString();
  }
}
