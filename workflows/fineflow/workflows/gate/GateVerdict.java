package fineflow.workflows.gate;

import java.util.List;
import java.util.Locale;

/** The promotion gate's decision, with every check so the user sees why. */
public record GateVerdict(boolean pass, List<GateCheck> checks) {

  public GateVerdict {
    checks = List.copyOf(checks);
  }

  /** A fixed-width comparison table for the pause message and the CLI. */
  public String table() {
    if (checks.isEmpty()) {
      return "no SLO bounds set: the candidate is promoted without a gate\n";
    }
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "%-32s %6s %12s %14s  %s\n", "CHECK", "AT C", "ACTUAL", "BOUND", "RESULT"));
    for (GateCheck c : checks) {
      String actual = c.actual() == null ? "-" : String.format(Locale.ROOT, "%,.2f", c.actual());
      String bound = c.comparator() + " " + String.format(Locale.ROOT, "%,.2f", c.bound());
      String result = (c.pass() ? "pass" : "FAIL") + (c.note().isEmpty() ? "" : " (" + c.note() + ")");
      sb.append(String.format(Locale.ROOT, "%-32s %6d %12s %14s  %s\n",
          c.metric(), c.concurrency(), actual, bound, result));
    }
    return sb.toString();
  }
}
