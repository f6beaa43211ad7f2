package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum BenchmarkTool {
  @JsonProperty("genai-perf") GENAI_PERF,
  @JsonProperty("vllm-bench") VLLM_BENCH
}
