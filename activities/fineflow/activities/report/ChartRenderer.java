package fineflow.activities.report;

import fineflow.workflows.gate.BenchmarkPoint;
import fineflow.workflows.gate.BenchmarkSummary;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Optional;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws one metric against concurrency as a PNG with JFreeChart, headless. Concurrency is on a
 * log2 axis because sweeps double (1, 2, 4 … 256): a linear axis crowds the low levels where
 * latency-bound behaviour shows.
 */
final class ChartRenderer {

  static final int WIDTH = 640;
  static final int HEIGHT = 360;

  static {
    // A worker or CI machine has no display; AWT must not try to open one.
    System.setProperty("java.awt.headless", "true");
  }

  private ChartRenderer() {
  }

  /** The PNG bytes, or empty when neither series has a value for this metric. */
  static Optional<byte[]> png(ChartKind kind, BenchmarkSummary summary, String candidateLabel,
      String baselineLabel) {
    XYSeriesCollection data = new XYSeriesCollection();
    addSeries(data, candidateLabel, summary.candidate(), kind);
    addSeries(data, baselineLabel, summary.baseline(), kind);
    if (data.getSeriesCount() == 0) {
      return Optional.empty();
    }
    JFreeChart chart = new JFreeChart(kind.title + " vs concurrency", JFreeChart.DEFAULT_TITLE_FONT,
        plot(data, kind), true);
    chart.setBackgroundPaint(Color.WHITE);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Optional.of(out.toByteArray());
  }

  private static void addSeries(XYSeriesCollection data, String label, List<BenchmarkPoint> points,
      ChartKind kind) {
    XYSeries series = new XYSeries(label);
    for (BenchmarkPoint p : points) {
      Double v = kind.value.apply(p);
      if (v != null) {
        series.add(p.concurrency(), v);
      }
    }
    if (!series.isEmpty()) {
      data.addSeries(series);
    }
  }

  private static XYPlot plot(XYSeriesCollection data, ChartKind kind) {
    LogAxis x = new LogAxis("Concurrency");
    x.setBase(2);
    x.setTickUnit(new NumberTickUnit(1));
    x.setNumberFormatOverride(new DecimalFormat("0"));
    x.setSmallestValue(0.5);
    NumberAxis y = new NumberAxis(kind.unit);
    y.setAutoRangeIncludesZero(true);
    XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, true);
    lines.setSeriesPaint(0, new Color(0x76, 0xb9, 0x00));
    lines.setSeriesPaint(1, new Color(0x33, 0x66, 0xcc));
    lines.setSeriesStroke(0, new BasicStroke(2.5f));
    lines.setSeriesStroke(1, new BasicStroke(2.5f));
    XYPlot plot = new XYPlot(data, x, y, lines);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return plot;
  }
}
