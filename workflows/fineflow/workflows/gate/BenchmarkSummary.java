package fineflow.workflows.gate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A benchmark stage's result as the workflow sees it: one point per concurrency level for the
 * candidate and, when measured, the baseline. It travels in the stage's termination message as
 * flat metrics ({@link #toMetrics()}), which must stay well under 4 KiB: hence only the
 * numbers the gate reads, per level.
 */
public record BenchmarkSummary(List<BenchmarkPoint> candidate, List<BenchmarkPoint> baseline) {

  private static final String BASELINE = "baseline.";
  private static final Pattern LEVEL_KEY =
      Pattern.compile("(baseline\\.)?c(\\d+)\\.(ttftP99Ms|ttftAvgMs|itlAvgMs|outputThroughput|perUserThroughput)");

  public BenchmarkSummary {
    candidate = sorted(candidate);
    baseline = sorted(baseline);
  }

  private static List<BenchmarkPoint> sorted(List<BenchmarkPoint> points) {
    return points == null ? List.of() : points.stream()
        .sorted(Comparator.comparingInt(BenchmarkPoint::concurrency)).toList();
  }

  public Optional<BenchmarkPoint> candidateAt(int concurrency) {
    return candidate.stream().filter(p -> p.concurrency() == concurrency).findFirst();
  }

  public Optional<BenchmarkPoint> baselineAt(int concurrency) {
    return baseline.stream().filter(p -> p.concurrency() == concurrency).findFirst();
  }

  /** The highest candidate concurrency measured, or 0 when nothing was. */
  public int maxConcurrency() {
    return candidate.isEmpty() ? 0 : candidate.get(candidate.size() - 1).concurrency();
  }

  /**
   * Flat metrics for a stage result: {@code c16.ttftP99Ms}, {@code c16.itlAvgMs},
   * {@code c16.outputThroughput}, {@code c16.perUserThroughput}, {@code baseline.c16.outputThroughput}
   * and headline numbers at the highest concurrency.
   */
  public Map<String, Double> toMetrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (BenchmarkPoint p : candidate) {
      put(m, "c" + p.concurrency() + ".ttftP99Ms", p.ttftP99Ms());
      put(m, "c" + p.concurrency() + ".itlAvgMs", p.itlAvgMs());
      put(m, "c" + p.concurrency() + ".outputThroughput", p.outputTokenThroughput());
      put(m, "c" + p.concurrency() + ".perUserThroughput", p.outputTokenThroughputPerUser());
    }
    for (BenchmarkPoint p : baseline) {
      put(m, BASELINE + "c" + p.concurrency() + ".ttftP99Ms", p.ttftP99Ms());
      put(m, BASELINE + "c" + p.concurrency() + ".outputThroughput", p.outputTokenThroughput());
    }
    if (!candidate.isEmpty()) {
      int max = maxConcurrency();
      m.put("maxConcurrency", (double) max);
      BenchmarkPoint top = candidate.get(candidate.size() - 1);
      put(m, "outputThroughputAtMaxConcurrency", top.outputTokenThroughput());
      put(m, "ttftP99MsAtMaxConcurrency", top.ttftP99Ms());
      candidate.stream().map(BenchmarkPoint::outputTokenThroughput).filter(v -> v != null)
          .max(Double::compare).ifPresent(v -> m.put("peakOutputThroughput", v));
      baselineAt(max).map(BenchmarkPoint::outputTokenThroughput)
          .ifPresent(v -> m.put("baselineOutputThroughputAtMaxConcurrency", v));
    }
    return m;
  }

  private static void put(Map<String, Double> m, String key, Double value) {
    if (value != null) {
      m.put(key, value);
    }
  }

  /** Reads {@link #toMetrics()} back; keys it does not know are ignored. */
  public static BenchmarkSummary fromMetrics(Map<String, Double> metrics) {
    Map<Integer, Map<String, Double>> cand = new TreeMap<>();
    Map<Integer, Map<String, Double>> base = new TreeMap<>();
    metrics.forEach((key, value) -> {
      Matcher k = LEVEL_KEY.matcher(key);
      if (k.matches()) {
        (k.group(1) == null ? cand : base)
            .computeIfAbsent(Integer.parseInt(k.group(2)), c -> new LinkedHashMap<>())
            .put(k.group(3), value);
      }
    });
    return new BenchmarkSummary(points(cand), points(base));
  }

  private static List<BenchmarkPoint> points(Map<Integer, Map<String, Double>> byLevel) {
    List<BenchmarkPoint> out = new ArrayList<>();
    byLevel.forEach((c, v) -> out.add(new BenchmarkPoint(c, v.get("ttftP99Ms"), v.get("ttftAvgMs"),
        v.get("itlAvgMs"), v.get("outputThroughput"), v.get("perUserThroughput"))));
    return out;
  }
}
