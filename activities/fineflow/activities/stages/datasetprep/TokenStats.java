package fineflow.activities.stages.datasetprep;

import java.util.List;

/** min / mean / 95th percentile (nearest rank) / max of estimated token lengths. */
public record TokenStats(int min, double avg, int p95, int max) {

  static TokenStats of(List<Integer> lengths) {
    if (lengths.isEmpty()) {
      return new TokenStats(0, 0, 0, 0);
    }
    int[] sorted = lengths.stream().mapToInt(Integer::intValue).sorted().toArray();
    long sum = 0;
    for (int v : sorted) {
      sum += v;
    }
    int rank = (int) Math.ceil(0.95 * sorted.length);
    double avg = Math.round(10.0 * sum / sorted.length) / 10.0;
    return new TokenStats(sorted[0], avg, sorted[rank - 1], sorted[sorted.length - 1]);
  }
}
