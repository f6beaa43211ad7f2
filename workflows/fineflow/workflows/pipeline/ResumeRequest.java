package fineflow.workflows.pipeline;

import java.util.List;

/**
 * Resumes a paused run with a changed spec: either {@code set} assignments applied to the
 * current spec ({@code engine.maxBatchSize=8}), or a whole new spec as YAML. Neither (no
 * assignments, no YAML) re-runs the paused stage unchanged, e.g. after fixing the cluster.
 *
 * @param acceptCandidate only for a run paused by its promotion gate: promote the benchmarked
 *     candidate although it missed its SLOs, without changing the spec. (Removing the SLOs with
 *     {@code set} would change the rollout's cache key and roll out and benchmark again.)
 */
public record ResumeRequest(List<String> set, String specYaml, boolean acceptCandidate) {
  public ResumeRequest {
    set = set == null ? List.of() : List.copyOf(set);
  }

  public ResumeRequest(List<String> set, String specYaml) {
    this(set, specYaml, false);
  }

  public static ResumeRequest assignments(List<String> set) {
    return new ResumeRequest(set, null);
  }

  public static ResumeRequest spec(String yaml) {
    return new ResumeRequest(List.of(), yaml);
  }

  /** Accepts the candidate a failed promotion gate held back. */
  public static ResumeRequest acceptingCandidate() {
    return new ResumeRequest(List.of(), null, true);
  }

  public boolean replacesSpec() {
    return specYaml != null;
  }
}
