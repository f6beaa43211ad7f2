package fineflow.activities.benchmark;

import fineflow.workflows.gate.BenchmarkSummary;
import java.util.Comparator;
import java.util.List;

/** A candidate sweep and, optionally, the baseline's sweep over the same levels. */
public record BenchmarkSet(List<BenchmarkRun> candidate, List<BenchmarkRun> baseline) {

  public BenchmarkSet {
    candidate = sorted(candidate);
    baseline = sorted(baseline);
  }

  private static List<BenchmarkRun> sorted(List<BenchmarkRun> runs) {
    return runs == null ? List.of()
        : runs.stream().sorted(Comparator.comparingInt(BenchmarkRun::concurrency)).toList();
  }

  public boolean hasBaseline() {
    return !baseline.isEmpty();
  }

  public BenchmarkSummary summary() {
    return new BenchmarkSummary(candidate.stream().map(BenchmarkRun::toPoint).toList(),
        baseline.stream().map(BenchmarkRun::toPoint).toList());
  }
}
