package fineflow.activities.benchmark;

import fineflow.workflows.gate.BenchmarkPoint;

/**
 * One benchmark measurement: one tool run against one server at one concurrency. Metrics a
 * tool did not report are null (non-streaming runs have no TTFT-derived token metrics).
 *
 * @param tool genai-perf or vllm-bench
 * @param label what was measured, e.g. {@code triton-tensorrtllm} or {@code vllm (openai)}
 * @param model the model name the requests used
 * @param outputTokenThroughputPerUser output tokens per second of one request after its first
 *     token (TTFT excluded)
 * @param outputTokenThroughputPerRequest output tokens per second of one request with its TTFT
 *     included: what genai-perf exported as {@code output_token_throughput_per_request} before
 *     it measured per-user throughput (Apr 2025); not comparable with per-user numbers
 * @param requestCount completed requests
 */
public record BenchmarkRun(
    String tool,
    String label,
    String model,
    int concurrency,
    MetricStats ttft,
    MetricStats timeToSecondToken,
    MetricStats interTokenLatency,
    MetricStats outputTokenThroughputPerUser,
    MetricStats outputTokenThroughputPerRequest,
    MetricStats outputTokenThroughput,
    MetricStats requestLatency,
    MetricStats requestThroughput,
    MetricStats inputSequenceLength,
    MetricStats outputSequenceLength,
    Long requestCount) {

  public static final String GENAI_PERF = "genai-perf";
  public static final String VLLM_BENCH = "vllm-bench";

  /** True when the tool measured token timing, i.e. the run streamed. */
  public boolean streaming() {
    return ttft != null;
  }

  /** The numbers the promotion gate reads. */
  public BenchmarkPoint toPoint() {
    return new BenchmarkPoint(concurrency,
        ttft == null ? null : ttft.p99(),
        ttft == null ? null : ttft.avg(),
        interTokenLatency == null ? null : interTokenLatency.avg(),
        outputTokenThroughput == null ? null : outputTokenThroughput.avg(),
        outputTokenThroughputPerUser == null ? null : outputTokenThroughputPerUser.avg());
  }
}
