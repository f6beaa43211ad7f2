package fineflow.workflows.estimate;

import fineflow.workflows.spec.PipelineSpec;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The memory preflight of {@code fineflow validate} and submit: a spec whose training cannot fit
 * one GPU of {@code cluster.gpuMemoryGib} is rejected before any pod starts.
 */
public final class Preflight {
  private static final double GIB = 1L << 30;

  private Preflight() {
  }

  /**
   * Why the spec's training cannot fit its GPU, or empty when it fits, when the spec does not
   * fine-tune, or when it has no {@code model.architecture} to estimate from.
   *
   * @throws IllegalArgumentException when the architecture or the LoRA targets are invalid
   *     (bad input, exit 2, not "does not fit")
   */
  public static Optional<String> check(PipelineSpec spec) {
    if (!spec.fineTunes() || spec.model() == null || spec.model().architecture() == null) {
      return Optional.empty();
    }
    MemoryEstimate estimate = MemoryEstimator.estimate(EstimateInput.fromSpec(spec));
    long gpuBytes = Math.round(spec.cluster().gpuMemoryGib() * GIB);
    return estimate.fits(gpuBytes)
        ? Optional.empty()
        : Optional.of(reason(estimate, gpuBytes, "cluster.gpuMemoryGib"));
  }

  /**
   * The estimate in a few words, e.g. "13.8 GiB of the 80.0 GiB GPU (largest: frozenWeights
   * 12.6 GiB, …)", for the hint of a stage that ran out of memory; empty when the spec does not
   * fine-tune or has no architecture to estimate from.
   */
  public static Optional<String> summary(PipelineSpec spec) {
    if (!spec.fineTunes() || spec.model() == null || spec.model().architecture() == null) {
      return Optional.empty();
    }
    try {
      MemoryEstimate estimate = MemoryEstimator.estimate(EstimateInput.fromSpec(spec));
      String largest = estimate.largest(3).stream()
          .map(c -> c.key() + " " + gib(estimate.bytes(c)))
          .collect(Collectors.joining(", "));
      return Optional.of(gib(estimate.totalBytes()) + " of the " + gib(Math.round(spec.cluster().gpuMemoryGib() * GIB))
          + " GPU (largest: " + largest + ")");
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** "training needs an estimated 135.2 GiB but ... has 80.0 GiB (largest: ...); try ...". */
  public static String reason(MemoryEstimate estimate, long gpuBytes, String gpuSource) {
    String largest = estimate.largest(3).stream()
        .map(c -> c.key() + " " + gib(estimate.bytes(c)))
        .collect(Collectors.joining(", "));
    return "training needs an estimated " + gib(estimate.totalBytes()) + " but " + gpuSource
        + " is " + gib(gpuBytes) + " (largest: " + largest + "); try qlora, gradient"
        + " checkpointing, an 8-bit optimizer, a smaller micro-batch or sequence length, or a larger GPU";
  }

  static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.1f GiB", bytes / GIB);
  }
}
