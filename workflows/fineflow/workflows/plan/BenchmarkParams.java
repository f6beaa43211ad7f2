package fineflow.workflows.plan;

import java.util.List;

/**
 * benchmark's parameters ({@code fineflow stage benchmark}).
 *
 * @param tool genai-perf or vllm-bench
 * @param url the candidate: {@code host:8001} (Triton gRPC, no scheme) for kserve,
 *     {@code http://host:8000} otherwise
 * @param model the model name the requests carry (Triton: its ensemble)
 * @param tokenizer the tokenizer id or path that counts tokens
 * @param concurrency the levels swept, in order
 * @param requests the requests sent at each level, one per level
 * @param endpointType kserve (Triton), chat or completions
 * @param baselineUrl the baseline server (always OpenAI-style); null = no baseline
 * @param output the stage's output directory
 */
public record BenchmarkParams(
    String tool,
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
    String output) implements StageParams {

  public BenchmarkParams {
    concurrency = List.copyOf(concurrency);
    requests = List.copyOf(requests);
  }

  @Override
  public List<String> argv() {
    return new Argv("fineflow", "stage", "benchmark").opt(OPTION, json()).build();
  }
}
