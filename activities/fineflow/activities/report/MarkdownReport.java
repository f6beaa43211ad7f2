package fineflow.activities.report;

import fineflow.activities.benchmark.BenchmarkRun;
import fineflow.activities.benchmark.BenchmarkSet;
import fineflow.activities.benchmark.MetricStats;
import fineflow.workflows.contract.Artifact;
import fineflow.workflows.gate.BenchmarkPoint;
import fineflow.workflows.gate.BenchmarkSummary;
import fineflow.workflows.gate.GateCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The report's tables in Markdown, for a pull request or a notebook (charts are in the HTML). */
public final class MarkdownReport {

  private MarkdownReport() {
  }

  public static String render(ReportModel model, String htmlFileName) {
    StringBuilder m = new StringBuilder("# ").append(model.title()).append("\n\n")
        .append(model.subtitle()).append("\n\n");
    model.simulatedBanner().ifPresent(banner -> m.append("> **").append(banner).append("**\n\n"));
    if (htmlFileName != null) {
      m.append("Charts: [").append(htmlFileName).append("](").append(htmlFileName).append(")\n\n");
    }
    model.runInfo().ifPresent(run -> {
      m.append("## Run\n\n- Run: `").append(run.runId()).append("`\n- Pipeline: ")
          .append(run.pipeline()).append("\n- Model: ").append(run.model() == null ? "-" : run.model())
          .append("\n- Engine: ").append(run.engine() == null ? "-" : run.engine().describe())
          .append("\n- Spec digest: `").append(run.specDigest()).append("`\n\n");
      if (!run.stages().isEmpty()) {
        m.append("| Stage | State | Duration | Artifacts |\n|---|---|---:|---|\n");
        for (StageRow s : run.stages()) {
          m.append("| ").append(s.stage()).append(" | ").append(s.state())
              .append(s.simulated() ? " (simulated)" : "").append(" | ")
              .append(HtmlReport.duration(s.durationSeconds())).append(" | ")
              .append(s.artifacts().stream().map(MarkdownReport::artifact).collect(Collectors.joining("<br>")))
              .append(" |\n");
        }
        m.append('\n');
      }
    });
    model.gateVerdict().ifPresent(gate -> {
      m.append("## Promotion gate: ").append(gate.pass() ? "passed" : "failed").append("\n\n")
          .append("| Check | At concurrency | Actual | Bound | Result |\n|---|---:|---:|---:|---|\n");
      for (GateCheck c : gate.checks()) {
        m.append("| ").append(c.metric()).append(" | ").append(c.concurrency()).append(" | ")
            .append(Numbers.format(c.actual())).append(" | ").append(c.comparator()).append(' ')
            .append(Numbers.format(c.bound())).append(" | ").append(c.pass() ? "pass" : "**fail**")
            .append(c.note().isEmpty() ? "" : " (" + c.note() + ")").append(" |\n");
      }
      m.append('\n');
    });
    comparison(m, model);
    for (BenchmarkRun run : model.results().candidate()) {
      m.append("## Concurrency ").append(run.concurrency()).append("\n\n");
      table(m, model.candidateLabel(), run);
      model.results().baseline().stream().filter(b -> b.concurrency() == run.concurrency())
          .findFirst().ifPresent(b -> table(m, model.baselineLabel(), b));
    }
    return m.toString();
  }

  private static String artifact(Artifact a) {
    return "`" + a.name() + "` " + a.path() + (a.sha256() == null ? "" : " sha256:" + HtmlReport.shortDigest(a.sha256()));
  }

  private static void comparison(StringBuilder m, ReportModel model) {
    BenchmarkSet results = model.results();
    BenchmarkSummary s = results.summary();
    boolean base = results.hasBaseline();
    m.append("## Candidate vs baseline\n\n| Concurrency | ISL / OSL (").append(model.candidateLabel())
        .append(") | Output tokens/s (").append(model.candidateLabel()).append(')');
    if (base) {
      m.append(" | ISL / OSL (").append(model.baselineLabel()).append(") | Output tokens/s (")
          .append(model.baselineLabel()).append(") | Ratio");
    }
    m.append(" | Per-user tokens/s | TTFT avg (ms) | TTFT p99 (ms) | ITL avg (ms) |\n|---:|---:|---:|")
        .append(base ? "---:|---:|---:|" : "").append("---:|---:|---:|---:|\n");
    TreeSet<Integer> levels = new TreeSet<>();
    s.candidate().forEach(p -> levels.add(p.concurrency()));
    s.baseline().forEach(p -> levels.add(p.concurrency()));
    List<String> notRanked = new ArrayList<>();
    for (int c : levels) {
      Optional<BenchmarkPoint> cand = s.candidateAt(c);
      Double ct = cand.map(BenchmarkPoint::outputTokenThroughput).orElse(null);
      m.append("| ").append(c).append(" | ").append(lengths(results.candidateAt(c)))
          .append(" | ").append(Numbers.format(ct));
      if (base) {
        Double bt = s.baselineAt(c).map(BenchmarkPoint::outputTokenThroughput).orElse(null);
        Optional<String> why = results.notRankableAt(c);
        why.ifPresent(w -> notRanked.add("- Not ranked at concurrency " + c + ": " + w));
        m.append(" | ").append(lengths(results.baselineAt(c))).append(" | ").append(Numbers.format(bt))
            .append(" | ").append(why.isPresent() ? "not ranked"
                : ct == null || bt == null || bt == 0 ? "-" : Numbers.format(ct / bt) + "×");
      }
      m.append(" | ").append(Numbers.format(cand.map(BenchmarkPoint::outputTokenThroughputPerUser).orElse(null)))
          .append(" | ").append(Numbers.format(cand.map(BenchmarkPoint::ttftAvgMs).orElse(null)))
          .append(" | ").append(Numbers.format(cand.map(BenchmarkPoint::ttftP99Ms).orElse(null)))
          .append(" | ").append(Numbers.format(cand.map(BenchmarkPoint::itlAvgMs).orElse(null)))
          .append(" |\n");
    }
    m.append('\n');
    if (!notRanked.isEmpty()) {
      notRanked.forEach(line -> m.append(line).append('\n'));
      m.append('\n');
    }
  }

  /** Mean input / output sequence length, as the tool measured it. */
  static String lengths(Optional<BenchmarkRun> run) {
    return run.map(r -> Numbers.format(avg(r.inputSequenceLength())) + " / "
        + Numbers.format(avg(r.outputSequenceLength()))).orElse("-");
  }

  private static Double avg(MetricStats stats) {
    return stats == null ? null : stats.avg();
  }

  private static void table(StringBuilder m, String label, BenchmarkRun run) {
    m.append("**").append(label).append("** (").append(run.tool())
        .append(run.streaming() ? ", streaming" : ", non-streaming").append(")\n\n| Statistic |");
    MetricRow.STATISTICS.forEach(s -> m.append(' ').append(s).append(" |"));
    m.append("\n|---|").append("---:|".repeat(MetricRow.STATISTICS.size())).append('\n');
    for (MetricRow row : MetricRow.values()) {
      MetricStats stats = row.stats.apply(run);
      if (stats == null) {
        continue;
      }
      m.append("| ").append(row.title).append(" |");
      MetricRow.STATISTICS.forEach(st -> m.append(' ').append(Numbers.cell(row, stats.get(st))).append(" |"));
      m.append('\n');
    }
    m.append('\n');
  }
}
