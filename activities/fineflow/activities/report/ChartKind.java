package fineflow.activities.report;

import fineflow.workflows.gate.BenchmarkPoint;
import java.util.function.Function;

/**
 * The manual run's hand-drawn figures (docs/manual-procedure.md "Benchmarks"): one metric against
 * concurrency, candidate vs baseline.
 */
enum ChartKind {
  OUTPUT_THROUGHPUT("Output token throughput", "tokens/sec", BenchmarkPoint::outputTokenThroughput),
  PER_USER_THROUGHPUT("Output token throughput per user", "tokens/sec/user",
      BenchmarkPoint::outputTokenThroughputPerUser),
  TTFT("Time to first token (avg)", "ms", BenchmarkPoint::ttftAvgMs),
  ITL("Inter token latency (avg)", "ms", BenchmarkPoint::itlAvgMs);

  final String title;
  final String unit;
  final Function<BenchmarkPoint, Double> value;

  ChartKind(String title, String unit, Function<BenchmarkPoint, Double> value) {
    this.title = title;
    this.unit = unit;
    this.value = value;
  }
}
