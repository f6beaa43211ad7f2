package fineflow.workers.cli;

import fineflow.workflows.contract.Artifact;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.pipeline.StageState;
import fineflow.workflows.pipeline.StageStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The {@code progress} query as a table people read: one row per stage, then what needs attention. */
final class ProgressTable {
  private ProgressTable() {
  }

  static String render(RunProgress p) {
    StringBuilder out = new StringBuilder();
    out.append(String.format("run %s  (%s, %s → %s)  %s  spec revision %d%n", p.runId(), p.pipeline(),
        p.model(), p.backend(), p.runState(), p.specRevision()));
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"STAGE", "STATE", "LAUNCHES", "DURATION", "OBJECT", "DETAIL"});
    for (StageStatus s : p.stages()) {
      rows.add(new String[] {s.stage().id(), s.state().id() + (s.result().simulated() ? " (simulated)" : ""),
          s.launch().count() == 0 ? "-" : Integer.toString(s.launch().count()), duration(s),
          s.launch().objectName() == null ? "-" : s.launch().objectName(), detail(s)});
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(i == row.length - 1 ? row[i] : pad(row[i], widths[i] + 2));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    p.stages().stream().filter(s -> s.state() == StageState.PAUSED || s.state() == StageState.FAILED)
        .forEach(s -> appendFailure(out, s));
    if (p.abortReason() != null) {
      out.append("aborted: ").append(p.abortReason()).append('\n');
    }
    return out.toString();
  }

  private static void appendFailure(StringBuilder out, StageStatus s) {
    StageStatus.Failure f = s.failure();
    out.append('\n').append(s.stage().id()).append(" ").append(s.state().id()).append(": ")
        .append(f.reason() == null ? "" : f.reason() + ": ").append(f.message() == null ? "" : f.message())
        .append('\n');
    if (f.hint() != null) {
      out.append("  hint: ").append(f.hint()).append('\n');
    }
    if (!f.logTail().isEmpty()) {
      out.append("  last log lines:\n");
      List<String> tail = f.logTail().subList(Math.max(0, f.logTail().size() - 15), f.logTail().size());
      tail.forEach(l -> out.append("    ").append(l).append('\n'));
    }
  }

  static String detail(StageStatus s) {
    if (s.state() == StageState.RUNNING && s.progress() != null) {
      return ProgressLine.parse(s.progress()).text();
    }
    if (s.state() == StageState.PAUSED || s.state() == StageState.FAILED) {
      return s.failure().reason() == null ? "" : s.failure().reason();
    }
    List<Artifact> artifacts = s.result().artifacts();
    if (!artifacts.isEmpty()) {
      Artifact a = artifacts.get(0);
      return a.name() + " " + a.sha256().substring(0, Math.min(12, a.sha256().length())) + " "
          + bytes(a.sizeBytes()) + (artifacts.size() > 1 ? " (+" + (artifacts.size() - 1) + ")" : "");
    }
    return s.identity().summary() == null ? "" : s.identity().summary();
  }

  static String duration(StageStatus s) {
    Duration d = s.elapsed();
    if (d == null) {
      return "-";
    }
    long secs = d.toSeconds();
    if (secs < 60) {
      return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
    return secs < 3600 ? String.format("%dm%02ds", secs / 60, secs % 60)
        : String.format("%dh%02dm", secs / 3600, (secs % 3600) / 60);
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }
}
