package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum ServingBackend {
  @JsonProperty("triton") TRITON("nvcr.io/nvidia/tritonserver:25.09-trtllm-python-py3"),
  @JsonProperty("trtllm-serve") TRTLLM_SERVE("nvcr.io/nvidia/tensorrt-llm/release:1.0.0"),
  @JsonProperty("vllm") VLLM("vllm/vllm-openai:v0.11.0");

  private final String defaultImage;

  ServingBackend(String defaultImage) {
    this.defaultImage = defaultImage;
  }

  public String defaultImage() {
    return defaultImage;
  }

  /** The name used in specs, labels and search attributes. */
  public String wireName() {
    return switch (this) {
      case TRITON -> "triton";
      case TRTLLM_SERVE -> "trtllm-serve";
      case VLLM -> "vllm";
    };
  }
}
