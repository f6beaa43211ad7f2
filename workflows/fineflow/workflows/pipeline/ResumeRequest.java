package fineflow.workflows.pipeline;

import java.util.List;

/**
 * Resumes a paused run with a changed spec: either {@code set} assignments applied to the
 * current spec ({@code engine.maxBatchSize=8}), or a whole new spec as YAML. Neither (no
 * assignments, no YAML) re-runs the paused stage unchanged, e.g. after fixing the cluster.
 */
public record ResumeRequest(List<String> set, String specYaml) {
  public ResumeRequest {
    set = set == null ? List.of() : List.copyOf(set);
  }

  public static ResumeRequest assignments(List<String> set) {
    return new ResumeRequest(set, null);
  }

  public static ResumeRequest spec(String yaml) {
    return new ResumeRequest(List.of(), yaml);
  }

  public boolean replacesSpec() {
    return specYaml != null;
  }
}
