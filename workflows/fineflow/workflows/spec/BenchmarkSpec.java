package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

public record BenchmarkSpec(
    @JsonPropertyDescription("false: no benchmark stage.") Boolean enabled,
    @JsonPropertyDescription("genai-perf or vllm-bench.") BenchmarkTool tool,
    @JsonPropertyDescription("Concurrency sweep.") List<Integer> concurrency,
    Integer inputTokens,
    Integer outputTokens,
    @JsonPropertyDescription("Requests per concurrency level (num-prompts); defaults to 10 x concurrency, at least 32.")
    Integer requestCount,
    Boolean streaming,
    @JsonPropertyDescription("Backend to benchmark as baseline on the same matrix (vllm), or none.")
    ServingBackend baseline,
    @JsonPropertyDescription("Benchmark client image; fineflow's benchmark image"
        + " (<cluster.imageRegistry>/fineflow-benchmark:<cluster.imageTag>) when omitted.")
    String image) {

  public BenchmarkSpec {
    enabled = enabled == null || enabled;
    tool = tool == null ? BenchmarkTool.GENAI_PERF : tool;
    concurrency = concurrency == null ? List.of(1, 4, 8, 16, 32, 64) : List.copyOf(concurrency);
    inputTokens = inputTokens == null ? 512 : inputTokens;
    outputTokens = outputTokens == null ? 256 : outputTokens;
    streaming = streaming == null || streaming;
  }

  /** The same settings with {@code image} set where it was omitted. */
  public BenchmarkSpec withDefaultImage(String defaultImage) {
    return image != null ? this : new BenchmarkSpec(enabled, tool, concurrency, inputTokens,
        outputTokens, requestCount, streaming, baseline, defaultImage);
  }

  public static BenchmarkSpec defaults() {
    return new BenchmarkSpec(null, null, null, null, null, null, null, null, null);
  }

  /** Requests sent at one concurrency level. */
  public int requestsAt(int level) {
    return requestCount != null ? requestCount : Math.max(32, 10 * level);
  }
}
