package fineflow.activities.benchmark;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether a candidate and a baseline run did the same work, so that their throughputs may be
 * ranked: mean input and output lengths within {@value #TOLERANCE_PERCENT}% (docs/manual-procedure.md
 * "Benchmarks": compare equal input/output lengths only). A server that stops at its end token
 * generates fewer tokens per request and looks faster per request, slower per second.
 */
public final class EqualWork {
  public static final int TOLERANCE_PERCENT = 2;

  private EqualWork() {
  }

  /** Why the two runs must not be ranked, or empty when they did the same work. */
  public static Optional<String> whyNot(BenchmarkRun candidate, BenchmarkRun baseline) {
    return differ("input", candidate.inputSequenceLength(), baseline.inputSequenceLength())
        .or(() -> differ("output", candidate.outputSequenceLength(), baseline.outputSequenceLength()));
  }

  private static Optional<String> differ(String which, MetricStats candidate, MetricStats baseline) {
    Double c = candidate == null ? null : candidate.avg();
    Double b = baseline == null ? null : baseline.avg();
    if (c == null || b == null) {
      return Optional.of("the " + (c == null ? "candidate" : "baseline") + " reported no mean "
          + which + " length, so equal work cannot be shown");
    }
    double apart = Math.abs(c - b) / Math.max(Math.abs(c), Math.abs(b));
    if (apart * 100 <= TOLERANCE_PERCENT) {
      return Optional.empty();
    }
    return Optional.of(String.format(Locale.ROOT, "mean %s lengths differ: candidate %.2f vs"
        + " baseline %.2f tokens (%.1f%% apart, more than %d%%)", which, c, b, apart * 100,
        TOLERANCE_PERCENT));
  }
}
