package fineflow.activities.benchmark;

import fineflow.workflows.plan.BenchmarkParams;
import fineflow.workflows.spec.BenchmarkTool;
import java.nio.file.Path;
import java.util.List;

/**
 * What the benchmark stage measures: one sweep over the parameters' concurrency levels against
 * the candidate and, when they name a baseline, the same sweep against the baseline. The planned
 * values are the stage's {@link BenchmarkParams}, read as they are; the rest are the program's
 * own options.
 *
 * @param baselineTool how the baseline is measured; vLLM's own tool by default, as in the manual run
 *     (docs/manual-procedure.md "Benchmarks")
 * @param resultFile where the termination message goes ({@code /dev/termination-log} in a pod)
 * @param executable replaces the tool's program name (argv[0]); null = genai-perf / vllm on PATH
 */
public record BenchmarkOptions(
    BenchmarkParams params,
    BenchmarkTool baselineTool,
    Path resultFile,
    String executable) {

  public static final List<String> ENDPOINT_TYPES = List.of("kserve", "chat", "completions");

  public BenchmarkOptions {
    List<Integer> concurrency = params.concurrency();
    List<Integer> requests = params.requests();
    String endpointType = params.endpointType();
    boolean streaming = params.streaming();
    BenchmarkTool tool = tool(params.tool());
    if (concurrency.isEmpty() || concurrency.stream().anyMatch(c -> c < 1)) {
      throw new IllegalArgumentException("concurrency: give one or more levels >= 1, got " + concurrency);
    }
    if (!ENDPOINT_TYPES.contains(endpointType)) {
      throw new IllegalArgumentException("endpointType: expected one of " + ENDPOINT_TYPES + ", got " + endpointType);
    }
    if (params.inputTokens() < 1 || params.outputTokens() < 1) {
      throw new IllegalArgumentException("inputTokens and outputTokens must be >= 1");
    }
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
    if (params.baselineUrl() != null && params.baselineModel() == null) {
      throw new IllegalArgumentException("baselineUrl needs baselineModel");
    }
    baselineTool = baselineTool == null ? BenchmarkTool.VLLM_BENCH : baselineTool;
    if (params.baselineUrl() != null && baselineTool == BenchmarkTool.VLLM_BENCH && !streaming) {
      throw new IllegalArgumentException("a non-streaming benchmark needs --baseline-tool genai-perf"
          + " (vllm bench serve always streams, and streaming is compared with streaming only)");
    }
  }

  /** genai-perf or vllm-bench, as specs write them. */
  public static BenchmarkTool tool(String name) {
    return switch (name == null ? "" : name) {
      case "genai-perf" -> BenchmarkTool.GENAI_PERF;
      case "vllm-bench" -> BenchmarkTool.VLLM_BENCH;
      default -> throw new IllegalArgumentException("tool: expected genai-perf or vllm-bench, got '" + name + "'");
    };
  }

  public BenchmarkTool tool() {
    return tool(params.tool());
  }

  public String url() {
    return params.url();
  }

  public String model() {
    return params.model();
  }

  public String tokenizer() {
    return params.tokenizer();
  }

  public List<Integer> concurrency() {
    return params.concurrency();
  }

  public int inputTokens() {
    return params.inputTokens();
  }

  public int outputTokens() {
    return params.outputTokens();
  }

  public boolean streaming() {
    return params.streaming();
  }

  public String endpointType() {
    return params.endpointType();
  }

  public String baselineUrl() {
    return params.baselineUrl();
  }

  public String baselineModel() {
    return params.baselineModel();
  }

  public Path output() {
    return Path.of(params.output());
  }

  /** The requests at {@code level}; the spec's default (BenchmarkSpec#requestsAt) is planned in. */
  public int requestsAt(int level) {
    return params.requests().get(params.concurrency().indexOf(level));
  }

  /** The endpoint type for the baseline: a vLLM server has no kserve endpoint. */
  public String baselineEndpointType() {
    return endpointType().equals("kserve") ? "completions" : endpointType();
  }
}
