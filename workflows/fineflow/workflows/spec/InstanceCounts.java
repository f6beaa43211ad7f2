package fineflow.workflows.spec;

/** Triton python-model instance counts of the inflight_batcher_llm repository. */
public record InstanceCounts(Integer preprocessing, Integer postprocessing, Integer bls) {
  public InstanceCounts {
    preprocessing = preprocessing == null ? 1 : preprocessing;
    postprocessing = postprocessing == null ? 1 : postprocessing;
    bls = bls == null ? 1 : bls;
  }

  public static InstanceCounts defaults() {
    return new InstanceCounts(null, null, null);
  }
}
