package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum InvalidRecordPolicy {
  @JsonProperty("fail") FAIL,
  @JsonProperty("skip") SKIP
}
