package fineflow.activities.report;

import fineflow.activities.benchmark.BenchmarkRun;
import fineflow.activities.benchmark.BenchmarkSet;
import java.util.ArrayList;
import fineflow.activities.benchmark.MetricStats;
import fineflow.workflows.contract.Artifact;
import fineflow.workflows.gate.BenchmarkPoint;
import fineflow.workflows.gate.BenchmarkSummary;
import fineflow.workflows.gate.GateCheck;
import fineflow.workflows.gate.GateVerdict;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A self-contained HTML page: inline CSS, charts as base64 PNG data URIs. It must open from a
 * PVC copy or an air-gapped laptop, so nothing is fetched from a CDN.
 */
public final class HtmlReport {

  private static final String CSS = """
      body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;color:#222}
      h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
      table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}
      th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}
      th:first-child,td:first-child{text-align:left}
      thead th{background:#f3f3f3}.pass{color:#1a7f37;font-weight:600}.fail{color:#c62828;font-weight:600}
      .subtitle{color:#444;margin-top:-.6rem}
      .simulated{background:#fff4e5;border:2px solid #e65100;color:#8a3300;padding:.6rem 1rem;font-weight:600}
      .charts{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:1.2rem}.charts figure{margin:0}
      .charts img{width:100%;height:auto}
      @media (max-width:800px){.charts{grid-template-columns:1fr}}
      figcaption{font-size:.85rem;color:#555}code{font-size:.85rem}
      """;

  private HtmlReport() {
  }

  public static String render(ReportModel model) {
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>").append(esc(model.title())).append("</title><style>").append(CSS)
        .append("</style></head><body>\n<h1>").append(esc(model.title())).append("</h1>\n")
        .append("<p class=\"subtitle\">").append(esc(model.subtitle())).append("</p>\n");
    model.simulatedBanner().ifPresent(banner -> h.append("<p class=\"simulated\" role=\"note\">")
        .append(esc(banner)).append("</p>\n"));
    model.runInfo().ifPresent(run -> runSection(h, run));
    model.gateVerdict().ifPresent(gate -> gateSection(h, gate));
    BenchmarkSummary summary = model.results().summary();
    h.append("<h2>Candidate vs baseline</h2>\n");
    comparison(h, model, summary);
    h.append("<div class=\"charts\">\n");
    for (ChartKind kind : ChartKind.values()) {
      Optional<byte[]> png = ChartRenderer.chart(kind, summary, model.candidateLabel(), model.baselineLabel())
          .map(ChartRenderer::png);
      png.ifPresent(bytes -> h.append("<figure><img alt=\"").append(esc(kind.title))
          .append(" vs concurrency\" width=\"").append(ChartRenderer.WIDTH).append("\" height=\"")
          .append(ChartRenderer.HEIGHT).append("\" src=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(bytes)).append("\"><figcaption>")
          .append(esc(kind.title)).append(" (").append(esc(kind.unit)).append(")</figcaption></figure>\n"));
    }
    h.append("</div>\n");
    levels(h, model);
    return h.append("</body></html>\n").toString();
  }

  private static void runSection(StringBuilder h, RunInfo run) {
    h.append("<h2>Run</h2>\n<table><tbody>")
        .append(row("Run", run.runId())).append(row("Pipeline", run.pipeline()))
        .append(row("Model", run.model()))
        .append(row("Engine", run.engine() == null ? null : run.engine().describe()))
        .append(row("Spec digest", run.specDigest())).append("</tbody></table>\n");
    if (run.stages().isEmpty()) {
      return;
    }
    h.append("<table><thead><tr><th>Stage</th><th>State</th><th>Duration</th><th>Artifacts</th></tr></thead><tbody>\n");
    for (StageRow s : run.stages()) {
      h.append("<tr><td>").append(esc(s.stage())).append("</td><td>").append(esc(s.state()))
          .append(s.simulated() ? " (simulated)" : "")
          .append("</td><td>").append(esc(duration(s.durationSeconds()))).append("</td><td>");
      for (Artifact a : s.artifacts()) {
        h.append("<code>").append(esc(a.name())).append("</code> ").append(esc(a.path()))
            .append(a.sha256() == null ? "" : " sha256:" + esc(shortDigest(a.sha256())))
            .append("<br>");
      }
      h.append("</td></tr>\n");
    }
    h.append("</tbody></table>\n");
  }

  private static void gateSection(StringBuilder h, GateVerdict gate) {
    h.append("<h2>Promotion gate: <span class=\"").append(gate.pass() ? "pass\">passed" : "fail\">failed")
        .append("</span></h2>\n<table><thead><tr><th>Check</th><th>At concurrency</th><th>Actual</th>")
        .append("<th>Bound</th><th>Result</th></tr></thead><tbody>\n");
    for (GateCheck c : gate.checks()) {
      h.append("<tr><td>").append(esc(c.metric())).append("</td><td>").append(c.concurrency())
          .append("</td><td>").append(Numbers.format(c.actual())).append("</td><td>")
          .append(esc(c.comparator() + " " + Numbers.format(c.bound()))).append("</td><td class=\"")
          .append(c.pass() ? "pass\">pass" : "fail\">fail").append(esc(c.note().isEmpty() ? "" : " — " + c.note()))
          .append("</td></tr>\n");
    }
    h.append("</tbody></table>\n");
  }

  private static void comparison(StringBuilder h, ReportModel model, BenchmarkSummary summary) {
    BenchmarkSet results = model.results();
    boolean base = results.hasBaseline();
    h.append("<table><thead><tr><th>Concurrency</th><th>ISL / OSL<br>").append(esc(model.candidateLabel()))
        .append("</th><th>Output tokens/s<br>").append(esc(model.candidateLabel()));
    if (base) {
      h.append("</th><th>ISL / OSL<br>").append(esc(model.baselineLabel()))
          .append("</th><th>Output tokens/s<br>").append(esc(model.baselineLabel())).append("</th><th>Ratio");
    }
    h.append("</th><th>Per-user tokens/s</th><th>TTFT avg (ms)</th><th>TTFT p99 (ms)</th><th>ITL avg (ms)</th>");
    if (base) {
      h.append("<th>Baseline TTFT avg (ms)</th><th>Baseline ITL avg (ms)</th>");
    }
    h.append("</tr></thead><tbody>\n");
    TreeSet<Integer> levels = new TreeSet<>();
    summary.candidate().forEach(p -> levels.add(p.concurrency()));
    summary.baseline().forEach(p -> levels.add(p.concurrency()));
    List<String> notRanked = new ArrayList<>();
    for (int c : levels) {
      Optional<BenchmarkPoint> cand = summary.candidateAt(c);
      Optional<BenchmarkPoint> bp = summary.baselineAt(c);
      h.append("<tr><td>").append(c).append("</td><td>")
          .append(esc(MarkdownReport.lengths(results.candidateAt(c)))).append("</td>")
          .append(td(cand.map(BenchmarkPoint::outputTokenThroughput).orElse(null)));
      if (base) {
        Double ct = cand.map(BenchmarkPoint::outputTokenThroughput).orElse(null);
        Double bt = bp.map(BenchmarkPoint::outputTokenThroughput).orElse(null);
        Optional<String> why = results.notRankableAt(c);
        why.ifPresent(w -> notRanked.add("Not ranked at concurrency " + c + ": " + w));
        h.append("<td>").append(esc(MarkdownReport.lengths(results.baselineAt(c)))).append("</td>")
            .append(td(bt)).append("<td>")
            .append(why.isPresent() ? "not ranked"
                : ct == null || bt == null || bt == 0 ? "-" : Numbers.format(ct / bt) + "×")
            .append("</td>");
      }
      h.append(td(cand.map(BenchmarkPoint::outputTokenThroughputPerUser).orElse(null)))
          .append(td(cand.map(BenchmarkPoint::ttftAvgMs).orElse(null)))
          .append(td(cand.map(BenchmarkPoint::ttftP99Ms).orElse(null)))
          .append(td(cand.map(BenchmarkPoint::itlAvgMs).orElse(null)));
      if (base) {
        h.append(td(bp.map(BenchmarkPoint::ttftAvgMs).orElse(null)))
            .append(td(bp.map(BenchmarkPoint::itlAvgMs).orElse(null)));
      }
      h.append("</tr>\n");
    }
    h.append("</tbody></table>\n");
    if (!notRanked.isEmpty()) {
      h.append("<ul class=\"fail\">\n");
      notRanked.forEach(line -> h.append("<li>").append(esc(line)).append("</li>\n"));
      h.append("</ul>\n");
    }
  }

  private static void levels(StringBuilder h, ReportModel model) {
    List<BenchmarkRun> baseline = model.results().baseline();
    for (BenchmarkRun run : model.results().candidate()) {
      h.append("<h2>Concurrency ").append(run.concurrency()).append("</h2>\n");
      levelTable(h, model.candidateLabel(), run);
      baseline.stream().filter(b -> b.concurrency() == run.concurrency()).findFirst()
          .ifPresent(b -> levelTable(h, model.baselineLabel(), b));
    }
  }

  private static void levelTable(StringBuilder h, String label, BenchmarkRun run) {
    h.append("<table><thead><tr><th>").append(esc(label)).append(" (").append(esc(run.tool()))
        .append(run.streaming() ? ", streaming" : ", non-streaming").append(")</th>");
    MetricRow.STATISTICS.forEach(s -> h.append("<th>").append(s).append("</th>"));
    h.append("</tr></thead><tbody>\n");
    for (MetricRow row : MetricRow.values()) {
      MetricStats stats = row.stats.apply(run);
      if (stats == null) {
        continue;
      }
      h.append("<tr><td>").append(esc(row.title)).append("</td>");
      MetricRow.STATISTICS.forEach(s -> h.append("<td>").append(Numbers.cell(row, stats.get(s))).append("</td>"));
      h.append("</tr>\n");
    }
    h.append("</tbody></table>\n");
  }

  private static String row(String key, String value) {
    return "<tr><th>" + esc(key) + "</th><td>" + esc(value == null ? "-" : value) + "</td></tr>";
  }

  private static String td(Double v) {
    return "<td>" + Numbers.format(v) + "</td>";
  }

  static String duration(Long seconds) {
    if (seconds == null) {
      return "-";
    }
    return seconds >= 3600 ? String.format("%dh %02dm %02ds", seconds / 3600, seconds % 3600 / 60, seconds % 60)
        : seconds >= 60 ? String.format("%dm %02ds", seconds / 60, seconds % 60) : seconds + "s";
  }

  static String shortDigest(String sha256) {
    return sha256.length() > 12 ? sha256.substring(0, 12) : sha256;
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
