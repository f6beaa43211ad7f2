package fineflow.workflows.gate;

import fineflow.workflows.spec.SloSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Decides whether a benchmarked candidate may replace the stable Service: every bound the
 * spec's {@link SloSpec} sets must hold at its concurrency. A bound that cannot be checked
 * (level or baseline not measured) fails, so a broken benchmark never promotes silently.
 */
public final class PromotionGate {

  private PromotionGate() {
  }

  /** True when the spec sets at least one bound, i.e. promotion waits for the benchmark. */
  public static boolean isGated(SloSpec slo) {
    return slo != null && (slo.ttftP99Ms() != null || slo.itlAvgMs() != null
        || slo.minThroughputPercentOfBaseline() != null);
  }

  public static GateVerdict evaluate(SloSpec slo, BenchmarkSummary summary) {
    if (!isGated(slo)) {
      return new GateVerdict(true, List.of());
    }
    int level = slo.atConcurrency() != null ? slo.atConcurrency() : summary.maxConcurrency();
    Optional<BenchmarkPoint> candidate = summary.candidateAt(level);
    List<GateCheck> checks = new ArrayList<>();
    if (slo.ttftP99Ms() != null) {
      checks.add(atMost("TTFT p99 (ms)", level, candidate, BenchmarkPoint::ttftP99Ms, slo.ttftP99Ms()));
    }
    if (slo.itlAvgMs() != null) {
      checks.add(atMost("ITL avg (ms)", level, candidate, BenchmarkPoint::itlAvgMs, slo.itlAvgMs()));
    }
    if (slo.minThroughputPercentOfBaseline() != null) {
      checks.add(throughputVsBaseline(level, candidate, summary.baselineAt(level),
          slo.minThroughputPercentOfBaseline()));
    }
    return new GateVerdict(checks.stream().allMatch(GateCheck::pass), checks);
  }

  private static GateCheck atMost(String metric, int level, Optional<BenchmarkPoint> point,
      Function<BenchmarkPoint, Double> value, double bound) {
    if (point.isEmpty()) {
      return new GateCheck(metric, level, null, "<=", bound, false,
          "concurrency " + level + " was not benchmarked");
    }
    Double actual = value.apply(point.get());
    if (actual == null) {
      return new GateCheck(metric, level, null, "<=", bound, false,
          "not measured (a non-streaming benchmark has no token timing)");
    }
    return new GateCheck(metric, level, actual, "<=", bound, actual <= bound, "");
  }

  private static GateCheck throughputVsBaseline(int level, Optional<BenchmarkPoint> candidate,
      Optional<BenchmarkPoint> baseline, double minPercent) {
    String metric = "output throughput (% of baseline)";
    Double cand = candidate.map(BenchmarkPoint::outputTokenThroughput).orElse(null);
    Double base = baseline.map(BenchmarkPoint::outputTokenThroughput).orElse(null);
    if (cand == null) {
      return new GateCheck(metric, level, null, ">=", minPercent, false,
          "concurrency " + level + " was not benchmarked");
    }
    if (base == null || base <= 0) {
      return new GateCheck(metric, level, null, ">=", minPercent, false,
          "no baseline measured at concurrency " + level + " (set benchmark.baseline)");
    }
    double percent = 100.0 * cand / base;
    return new GateCheck(metric, level, percent, ">=", minPercent, percent >= minPercent, "");
  }
}
