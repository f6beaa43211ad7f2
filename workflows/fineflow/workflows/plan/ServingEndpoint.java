package fineflow.workflows.plan;

import java.util.Locale;

/**
 * How a deployed server (rollout, baseline) is reached: its Service name and ports. The planner
 * writes these into the benchmark's argv and the rollout executor names the Service the same
 * way, so both derive them here.
 */
public final class ServingEndpoint {
  /** HTTP (KServe v2 for Triton, OpenAI-compatible for trtllm-serve and vLLM). */
  public static final int HTTP_PORT = 8000;
  /** Triton gRPC (genai-perf's kserve endpoint). */
  public static final int GRPC_PORT = 8001;
  /** Triton Prometheus metrics. */
  public static final int METRICS_PORT = 8002;
  /** The name the fine-tuned adapter is served under by vLLM and trtllm-serve. */
  public static final String ADAPTER_NAME = "adapter";
  /** Where trtllm-serve reads its extra_llm_api_options; the stage's {@code files} hold it. */
  public static final String EXTRA_OPTIONS_PATH = "/etc/fineflow/extra-llm-api-options.yaml";

  private static final int MAX_NAME = 63;

  private ServingEndpoint() {
  }

  /**
   * The Service of a deployment stage: {@code <pipeline>-<stage>-<key12>}, a DNS-1035 label of at
   * most 63 characters. The key in the name means a changed server is a new candidate Service,
   * while re-applying the same plan finds the same one.
   */
  public static String serviceName(String pipeline, Stage stage) {
    return serviceName(pipeline, stage.name(), stage.shortKey());
  }

  /** As {@link #serviceName(String, Stage)}, for the stage's key {@code shortKey} (its first 12 characters). */
  static String serviceName(String pipeline, StageName stage, String shortKey) {
    String suffix = "-" + stage.id() + "-" + shortKey;
    String base = pipeline.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    if (base.isEmpty() || !Character.isLetter(base.charAt(0))) {
      base = "ff-" + base;
    }
    base = base.substring(0, Math.min(base.length(), MAX_NAME - suffix.length()))
        .replaceAll("-+$", "");
    return base + suffix;
  }
}
