package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum TrainingMethod {
  @JsonProperty("full") FULL,
  @JsonProperty("lora") LORA,
  @JsonProperty("qlora") QLORA;

  public boolean usesAdapters() {
    return this != FULL;
  }
}
