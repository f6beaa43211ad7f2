package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum DatasetFormat {
  @JsonProperty("json") JSON,
  @JsonProperty("jsonl") JSONL
}
