package fineflow.activities.benchmark;

import fineflow.workflows.spec.BenchmarkTool;
import java.nio.file.Path;
import java.util.List;

/**
 * What the benchmark stage measures: one sweep over {@code concurrency} against the candidate
 * and, when {@code baselineUrl} is set, the same sweep against the baseline.
 *
 * @param url the candidate: {@code host:8001} (gRPC) for kserve, {@code http://host:8000} otherwise
 * @param endpointType kserve (Triton gRPC), chat or completions
 * @param requests requests per level, one per level in the order of {@code concurrency}
 * @param baselineTool how the baseline is measured; vLLM's own tool by default, as in the manual run
 *     (docs/manual-procedure.md "Benchmarks")
 * @param resultFile where the termination message goes ({@code /dev/termination-log} in a pod)
 * @param executable replaces the tool's program name (argv[0]); null = genai-perf / vllm on PATH
 */
public record BenchmarkOptions(
    BenchmarkTool tool,
    String url,
    String model,
    String tokenizer,
    List<Integer> concurrency,
    int inputTokens,
    int outputTokens,
    List<Integer> requests,
    boolean streaming,
    String endpointType,
    String baselineUrl,
    String baselineModel,
    BenchmarkTool baselineTool,
    Path output,
    Path resultFile,
    String executable) {

  public static final List<String> ENDPOINT_TYPES = List.of("kserve", "chat", "completions");

  public BenchmarkOptions {
    concurrency = List.copyOf(concurrency);
    if (concurrency.isEmpty() || concurrency.stream().anyMatch(c -> c < 1)) {
      throw new IllegalArgumentException("concurrency: give one or more levels >= 1, got " + concurrency);
    }
    if (!ENDPOINT_TYPES.contains(endpointType)) {
      throw new IllegalArgumentException("endpointType: expected one of " + ENDPOINT_TYPES + ", got " + endpointType);
    }
    if (inputTokens < 1 || outputTokens < 1) {
      throw new IllegalArgumentException("inputTokens and outputTokens must be >= 1");
    }
    requests = List.copyOf(requests);
    if (requests.stream().anyMatch(r -> r < 1)) {
      throw new IllegalArgumentException("requests must be >= 1, got " + requests);
    }
    if (requests.size() != concurrency.size()) {
      throw new IllegalArgumentException("requests: give one count per concurrency level ("
          + concurrency.size() + "), got " + requests);
    }
    if (tool == BenchmarkTool.VLLM_BENCH) {
      if (endpointType.equals("kserve")) {
        throw new IllegalArgumentException("vllm bench serve speaks the OpenAI API only: use"
            + " endpointType chat or completions, or tool genai-perf for Triton's kserve endpoint");
      }
      if (!streaming) {
        throw new IllegalArgumentException("vllm bench serve always streams: streaming false needs tool genai-perf");
      }
    }
    if (baselineUrl != null && baselineModel == null) {
      throw new IllegalArgumentException("baselineUrl needs baselineModel");
    }
    baselineTool = baselineTool == null ? BenchmarkTool.VLLM_BENCH : baselineTool;
    if (baselineUrl != null && baselineTool == BenchmarkTool.VLLM_BENCH && !streaming) {
      throw new IllegalArgumentException("a non-streaming benchmark needs --baseline-tool genai-perf"
          + " (vllm bench serve always streams, and streaming is compared with streaming only)");
    }
  }

  /** The requests at {@code level}; the spec's default (BenchmarkSpec#requestsAt) is planned in. */
  public int requestsAt(int level) {
    return requests.get(concurrency.indexOf(level));
  }

  /** The endpoint type for the baseline: a vLLM server has no kserve endpoint. */
  public String baselineEndpointType() {
    return endpointType.equals("kserve") ? "completions" : endpointType;
  }
}
