package fineflow.activities.report;

import static org.assertj.core.api.Assertions.assertThat;

import fineflow.activities.benchmark.BenchmarkSet;
import fineflow.workflows.gate.BenchmarkPoint;
import fineflow.workflows.gate.BenchmarkSummary;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import java.awt.BasicStroke;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.util.SortOrder;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, "the report": a title with model, run, engine settings and date; a simulated banner
 * when any number is; charts side by side; a categorical concurrency axis; a candidate line
 * that stays visible when it equals the baseline's.
 */
class ReportHeadingAndChartsTest {
  static final Instant BENCHMARKED = Instant.parse("2026-11-26T01:42:00Z");

  static RunInfo run(boolean simulatedBenchmark) throws Exception {
    PipelineSpec spec = SpecLoader.load(Files.readString(Path.of("configs/demo.yaml")), "demo.yaml");
    return new RunInfo("demo-3f2a9c1d", "demo", "9b1f00aa", spec.model().id(), EngineSettings.of(spec),
        BENCHMARKED, List.of(
            new StageRow("dataset-prep", "succeeded", 2L, List.of(), false),
            new StageRow("train", "succeeded", 12L, List.of(), simulatedBenchmark),
            new StageRow("benchmark", "succeeded", 4L, List.of(), simulatedBenchmark)));
  }

  @Test
  void titleNamesModelRunEngineAndDateInHtmlAndMarkdown() throws Exception {
    ReportModel model = ReportModel.of("Benchmark report", ReportTest.triton()).withRun(run(false));

    String html = HtmlReport.render(model);
    String md = MarkdownReport.render(model, "report.html");

    // configs/demo.yaml: SmolLM2 with a LoRA adapter of rank 8 on Triton, float16, batch 4.
    String subtitle = "model HuggingFaceTB/SmolLM2-135M-Instruct · run demo-3f2a9c1d · engine triton,"
        + " float16, quantization none, max batch 4, LoRA r=8 · benchmarked 2026-11-26 01:42 UTC";
    assertThat(model.subtitle()).isEqualTo(subtitle);
    assertThat(html).contains("<h1>Benchmark report</h1>\n<p class=\"subtitle\">" + subtitle + "</p>");
    assertThat(md).startsWith("# Benchmark report\n\n" + subtitle + "\n\n");
    assertThat(html + md).doesNotContain("Simulated:");
  }

  @Test
  void aDirectoryIsDatedByTheReportAndNamesTheToolsModel() throws Exception {
    ReportModel model = ReportModel.of("r", ReportTest.triton()).renderedAt(BENCHMARKED);
    assertThat(model.subtitle()).isEqualTo("model ensemble · rendered 2026-11-26 01:42 UTC");
  }

  @Test
  void simulatedResultsGetABannerInHtmlAndMarkdown() throws Exception {
    ReportModel model = ReportModel.of("r", ReportTest.triton()).withRun(run(true));

    String html = HtmlReport.render(model);
    String md = MarkdownReport.render(model, null);

    String banner = "Simulated: the results of train, benchmark come from the embedded dev stack's"
        + " simulated GPU node, not from a GPU; the benchmark numbers below are made up, not measured.";
    assertThat(html).contains("<p class=\"simulated\" role=\"note\">" + HtmlReport.esc(banner) + "</p>",
        "<td>train</td><td>succeeded (simulated)</td>");
    assertThat(md).contains("> **" + banner + "**", "| train | succeeded (simulated) |");
  }

  @Test
  void chartsSitSideBySideAndCollapseOnNarrowScreens() throws Exception {
    String html = HtmlReport.render(ReportModel.of("r", ReportTest.triton()));
    assertThat(html).contains(".charts{display:grid;grid-template-columns:repeat(2,minmax(0,1fr))",
        "@media (max-width:800px){.charts{grid-template-columns:1fr}}", ".charts img{width:100%;height:auto}");
  }

  @Test
  void concurrencyTicksAreTheLevelsThatRanOnly() throws Exception {
    JFreeChart chart = ChartRenderer.chart(ChartKind.OUTPUT_THROUGHPUT, ReportTest.triton().summary(),
        "candidate", "baseline").orElseThrow();

    CategoryPlot plot = chart.getCategoryPlot();
    assertThat(plot.getDomainAxis()).isInstanceOf(CategoryAxis.class);
    // The fixture ran 1, 4, 8, 16, 32, 64: no tick at 2 where nothing ran.
    assertThat(plot.getCategories()).containsExactly(1, 4, 8, 16, 32, 64);
  }

  @Test
  void aCandidateEqualToTheBaselineIsPaintedOnTopSolidWithItsOwnMarker() throws Exception {
    BenchmarkSet seed = ReportTest.triton();
    BenchmarkSummary same = new BenchmarkSummary(seed.summary().candidate(), seed.summary().candidate());

    JFreeChart chart = ChartRenderer.chart(ChartKind.ITL, same, "candidate", "baseline").orElseThrow();

    CategoryPlot plot = chart.getCategoryPlot();
    List<Comparable<?>> painted = new ArrayList<>(plot.getDataset().getRowKeys());
    if (plot.getRowRenderingOrder() == SortOrder.DESCENDING) {
      java.util.Collections.reverse(painted);
    }
    assertThat(painted).containsExactly("baseline", "candidate");
    LineAndShapeRenderer lines = (LineAndShapeRenderer) plot.getRenderer();
    int candidate = plot.getDataset().getRowIndex("candidate");
    int baseline = plot.getDataset().getRowIndex("baseline");
    BasicStroke candidateStroke = (BasicStroke) lines.getSeriesStroke(candidate);
    BasicStroke baselineStroke = (BasicStroke) lines.getSeriesStroke(baseline);
    assertThat(candidateStroke.getDashArray()).isNull();
    assertThat(baselineStroke.getDashArray()).isNotEmpty();
    // Wider beneath, so the dashes show on both sides of the candidate's line.
    assertThat(baselineStroke.getLineWidth()).isGreaterThan(candidateStroke.getLineWidth());
    assertThat(lines.getSeriesShape(candidate)).isNotEqualTo(lines.getSeriesShape(baseline));
    assertThat(lines.getSeriesPaint(candidate)).isNotEqualTo(lines.getSeriesPaint(baseline));
    for (BenchmarkPoint p : same.candidate()) {
      assertThat(plot.getDataset().getValue("candidate", p.concurrency()))
          .isEqualTo(plot.getDataset().getValue("baseline", p.concurrency()));
    }
  }
}
