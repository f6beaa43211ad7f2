package fineflow.activities.report;

import java.util.Locale;

/** How the report writes numbers: like genai-perf's console table, {@code 1,398.62}. */
final class Numbers {
  private Numbers() {
  }

  static String format(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%,.2f", v);
  }

  static String count(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%,.0f", v);
  }

  static String cell(MetricRow row, Double v) {
    return row == MetricRow.COUNT ? count(v) : format(v);
  }
}
