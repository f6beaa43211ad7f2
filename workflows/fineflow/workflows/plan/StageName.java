package fineflow.workflows.plan;

import com.fasterxml.jackson.annotation.JsonValue;

/** The stages of docs/architecture.md "Stages", in pipeline order. */
public enum StageName {
  /** The base model's snapshot into the workspace; its artifact is the resolved commit sha. */
  MODEL_FETCH("model-fetch"),
  DATASET_PREP("dataset-prep"),
  TRAIN("train"),
  LORA_CONVERT("lora-convert"),
  CHECKPOINT_CONVERT("checkpoint-convert"),
  ENGINE_BUILD("engine-build"),
  TRITON_REPO("triton-repo"),
  ROLLOUT("rollout"),
  /** The comparison server (benchmark.baseline, e.g. vLLM) the benchmark measures side by side. */
  BASELINE("baseline"),
  BENCHMARK("benchmark");

  private final String id;

  StageName(String id) {
    this.id = id;
  }

  @JsonValue
  public String id() {
    return id;
  }

  public static StageName of(String id) {
    for (StageName s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown stage '" + id + "'; stages are "
        + java.util.Arrays.stream(values()).map(StageName::id).toList());
  }

  @Override
  public String toString() {
    return id;
  }
}
