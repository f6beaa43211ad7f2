package fineflow.activities.report;

import fineflow.activities.benchmark.BenchmarkRun;
import fineflow.activities.benchmark.MetricStats;
import java.util.List;
import java.util.function.Function;

/** The rows of a per-concurrency table, in the order genai-perf prints them. */
enum MetricRow {
  TTFT("Time to first token (ms)", BenchmarkRun::ttft),
  TTST("Time to second token (ms)", BenchmarkRun::timeToSecondToken),
  ITL("Inter token latency (ms)", BenchmarkRun::interTokenLatency),
  PER_USER("Output token throughput per user (tokens/sec/user)", BenchmarkRun::outputTokenThroughputPerUser),
  PER_REQUEST("Output token throughput per request, TTFT included (tokens/sec)",
      BenchmarkRun::outputTokenThroughputPerRequest),
  LATENCY("Request latency (ms)", BenchmarkRun::requestLatency),
  OSL("Output sequence length (tokens)", BenchmarkRun::outputSequenceLength),
  ISL("Input sequence length (tokens)", BenchmarkRun::inputSequenceLength),
  OUTPUT("Output token throughput (tokens/sec)", BenchmarkRun::outputTokenThroughput),
  REQUESTS("Request throughput (per sec)", BenchmarkRun::requestThroughput),
  COUNT("Request count (count)",
      r -> r.requestCount() == null ? null : MetricStats.ofAvg("count", r.requestCount()));

  static final List<String> STATISTICS = List.of("avg", "min", "max", "p50", "p90", "p95", "p99");

  final String title;
  final Function<BenchmarkRun, MetricStats> stats;

  MetricRow(String title, Function<BenchmarkRun, MetricStats> stats) {
    this.title = title;
    this.stats = stats;
  }
}
