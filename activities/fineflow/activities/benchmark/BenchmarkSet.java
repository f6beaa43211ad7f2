package fineflow.activities.benchmark;

import fineflow.workflows.gate.BenchmarkSummary;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

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

  public Optional<BenchmarkRun> candidateAt(int concurrency) {
    return candidate.stream().filter(r -> r.concurrency() == concurrency).findFirst();
  }

  public Optional<BenchmarkRun> baselineAt(int concurrency) {
    return baseline.stream().filter(r -> r.concurrency() == concurrency).findFirst();
  }

  /** Why candidate and baseline at this level must not be ranked ({@link EqualWork}), if so. */
  public Optional<String> notRankableAt(int concurrency) {
    Optional<BenchmarkRun> c = candidateAt(concurrency);
    Optional<BenchmarkRun> b = baselineAt(concurrency);
    return c.isPresent() && b.isPresent() ? EqualWork.whyNot(c.get(), b.get()) : Optional.empty();
  }

  /**
   * Only the baseline levels that did the candidate's work: what the promotion gate compares
   * with, so an unequal baseline reads as not measured (and a baseline bound fails closed).
   */
  public BenchmarkSet rankable() {
    return new BenchmarkSet(candidate,
        baseline.stream().filter(b -> notRankableAt(b.concurrency()).isEmpty()).toList());
  }

  public BenchmarkSummary summary() {
    return new BenchmarkSummary(candidate.stream().map(BenchmarkRun::toPoint).toList(),
        baseline.stream().map(BenchmarkRun::toPoint).toList());
  }
}
