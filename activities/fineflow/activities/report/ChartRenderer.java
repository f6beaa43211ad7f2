package fineflow.activities.report;

import fineflow.workflows.gate.BenchmarkPoint;
import fineflow.workflows.gate.BenchmarkSummary;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.util.SortOrder;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Draws one metric against concurrency with JFreeChart, headless. Concurrency is categorical:
 * one tick per level that ran, evenly spaced, so a sweep of 1, 4, 8 … 64 shows no tick at a
 * level nobody measured and the low levels are not crowded together. The candidate is drawn
 * last (on top, solid, filled circles) and the baseline beneath it (wider, dashed, hollow
 * squares), so the candidate's line stays visible where the two are equal.
 */
final class ChartRenderer {

  /** Layout size in points; the PNG has {@link #SCALE} times as many pixels, for sharp text. */
  static final int WIDTH = 560;
  static final int HEIGHT = 340;
  static final int SCALE = 2;

  static final Color CANDIDATE = new Color(0x76, 0xb9, 0x00);
  static final Color BASELINE = new Color(0x33, 0x66, 0xcc);

  static {
    // A worker or CI machine has no display; AWT must not try to open one.
    System.setProperty("java.awt.headless", "true");
  }

  private ChartRenderer() {
  }

  /** The chart, or empty when neither series has a value for this metric. */
  static Optional<JFreeChart> chart(ChartKind kind, BenchmarkSummary summary, String candidateLabel,
      String baselineLabel) {
    TreeSet<Integer> levels = new TreeSet<>();
    boolean candidate = collect(levels, summary.candidate(), kind);
    boolean baseline = collect(levels, summary.baseline(), kind);
    if (levels.isEmpty()) {
      return Optional.empty();
    }
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    // Columns in level order, added before any series may leave a level out.
    for (int c : levels) {
      if (candidate) {
        data.addValue(value(summary.candidateAt(c), kind), candidateLabel, Integer.valueOf(c));
      }
      if (baseline) {
        data.addValue(value(summary.baselineAt(c), kind), baselineLabel, Integer.valueOf(c));
      }
    }
    CategoryPlot plot = plot(data, kind, candidate ? candidateLabel : null, baseline ? baselineLabel : null);
    JFreeChart chart = new JFreeChart(kind.title + " vs concurrency", new Font(Font.SANS_SERIF, Font.BOLD, 16),
        plot, true);
    chart.getLegend().setItemFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    // The legend follows the painting order; reversed, it names the candidate first.
    chart.getLegend().setSortOrder(SortOrder.DESCENDING);
    chart.setBackgroundPaint(Color.WHITE);
    return Optional.of(chart);
  }

  static byte[] png(JFreeChart chart) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ChartUtils.writeScaledChartAsPNG(out, chart, WIDTH, HEIGHT, SCALE, SCALE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Adds the levels where {@code points} have a value; true when there is any. */
  private static boolean collect(TreeSet<Integer> levels, List<BenchmarkPoint> points, ChartKind kind) {
    boolean any = false;
    for (BenchmarkPoint p : points) {
      if (kind.value.apply(p) != null) {
        levels.add(p.concurrency());
        any = true;
      }
    }
    return any;
  }

  private static Double value(Optional<BenchmarkPoint> point, ChartKind kind) {
    return point.map(kind.value).orElse(null);
  }

  private static CategoryPlot plot(DefaultCategoryDataset data, ChartKind kind, String candidate,
      String baseline) {
    Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    Font ticks = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    CategoryAxis x = new CategoryAxis("Concurrency");
    x.setLabelFont(label);
    x.setTickLabelFont(ticks);
    x.setCategoryMargin(0);
    NumberAxis y = new NumberAxis(kind.unit);
    y.setAutoRangeIncludesZero(true);
    y.setLabelFont(label);
    y.setTickLabelFont(ticks);
    LineAndShapeRenderer lines = new LineAndShapeRenderer(true, true);
    if (baseline != null) {
      int row = data.getRowIndex(baseline);
      lines.setSeriesPaint(row, BASELINE);
      lines.setSeriesStroke(row, new BasicStroke(4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
          new float[] {10f, 6f}, 0f));
      lines.setSeriesShape(row, new Rectangle2D.Double(-6, -6, 12, 12));
      lines.setSeriesShapesFilled(row, false);
    }
    if (candidate != null) {
      int row = data.getRowIndex(candidate);
      lines.setSeriesPaint(row, CANDIDATE);
      lines.setSeriesStroke(row, new BasicStroke(2f));
      lines.setSeriesShape(row, new Ellipse2D.Double(-4, -4, 8, 8));
      lines.setSeriesShapesFilled(row, true);
    }
    CategoryPlot plot = new CategoryPlot(data, x, y, lines);
    plot.setOrientation(PlotOrientation.VERTICAL);
    // Rows are painted in this order: the candidate is row 0, so descending paints it last.
    plot.setRowRenderingOrder(SortOrder.DESCENDING);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinesVisible(true);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return plot;
  }
}
