package fineflow.activities.benchmark;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One metric's distribution as a benchmark tool reported it. Any statistic may be null: tools
 * report different subsets (genai-perf throughput is an average only; vLLM has no min/max).
 */
public record MetricStats(
    String unit, Double avg, Double min, Double max, Double p50, Double p90, Double p95,
    Double p99) {

  /** Only an average (throughputs, counts). */
  public static MetricStats ofAvg(String unit, double avg) {
    return new MetricStats(unit, avg, null, null, null, null, null, null);
  }

  /** A genai-perf metric object ({@code unit, avg, p1 … p99, min, max, std}); null when absent. */
  static MetricStats fromGenaiPerf(JsonNode node) {
    if (node == null || node.isNull() || !node.isObject()) {
      return null;
    }
    return new MetricStats(
        node.path("unit").asText(null), number(node, "avg"), number(node, "min"),
        number(node, "max"), number(node, "p50"), number(node, "p90"), number(node, "p95"),
        number(node, "p99"));
  }

  private static Double number(JsonNode node, String key) {
    JsonNode v = node.get(key);
    return v == null || !v.isNumber() ? null : v.asDouble();
  }

  /** The value of a statistic by its column name (avg, min, max, p50, p90, p95, p99). */
  public Double get(String statistic) {
    return switch (statistic) {
      case "avg" -> avg;
      case "min" -> min;
      case "max" -> max;
      case "p50" -> p50;
      case "p90" -> p90;
      case "p95" -> p95;
      case "p99" -> p99;
      default -> throw new IllegalArgumentException("unknown statistic '" + statistic + "'");
    };
  }
}
