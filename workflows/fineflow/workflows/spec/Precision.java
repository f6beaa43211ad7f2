package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum Precision {
  @JsonProperty("bf16") BF16,
  @JsonProperty("fp16") FP16,
  @JsonProperty("fp32") FP32
}
