package fineflow.workflows.plan;

import static fineflow.workflows.plan.CacheKey.OUT;

import fineflow.workflows.spec.BenchmarkSpec;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.ServingBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * benchmark: one Job sweeps the concurrency list against the candidate (and the baseline) with
 * genai-perf or {@code vllm bench serve} ({@code fineflow stage benchmark}).
 */
final class Benchmark {
  /** Triton's ensemble model: what clients call for text in, text out. */
  static final String TRITON_MODEL = "ensemble";

  private Benchmark() {
  }

  static StageDraft draft(PipelineSpec spec, Upstream up, String pipeline) {
    BenchmarkSpec b = spec.benchmark();
    ServingBackend backend = spec.serving().backend();
    ModelRef tokenizer = ModelRef.tokenizer(spec);
    List<StageName> consumes = new ArrayList<>(List.of(StageName.ROLLOUT));
    boolean baseline = up.has(StageName.BASELINE);
    if (baseline) {
      consumes.add(StageName.BASELINE);
    }
    BenchmarkParams params = new BenchmarkParams(Argv.text(b.tool()),
        url(backend, ServingEndpoint.serviceName(pipeline, up.get(StageName.ROLLOUT))),
        servedModel(spec, up, backend), tokenizer.location(), b.concurrency(), b.inputTokens(),
        b.outputTokens(), b.concurrency().stream().map(b::requestsAt).toList(), b.streaming(),
        backend == ServingBackend.TRITON ? "kserve" : "chat",
        baseline ? url(b.baseline(), ServingEndpoint.serviceName(pipeline, up.get(StageName.BASELINE)))
            : null,
        baseline ? servedModel(spec, up, b.baseline()) : null, OUT);

    List<VolumeMount> volumes = new ArrayList<>(tokenizer.mounts());
    volumes.add(HuggingFace.cacheMount());
    volumes.add(StageDraft.outputMount());
    long expected = expectedSeconds(b) * consumes.size();
    return new StageDraft(StageName.BENCHMARK, StageKind.JOB, b.image(), params,
        Map.of("HF_HOME", Workspace.HF_HOME), HuggingFace.token(spec),
        Resources.cpuOnly("4", "8Gi"), volumes, Math.max(3_600, 4 * expected), expected,
        consumes, List.of(new ArtifactRef("results", OUT)),
        "Benchmark " + Argv.text(b.tool()) + " at concurrency " + join(b.concurrency()) + ", "
            + b.inputTokens() + " in / " + b.outputTokens() + " out"
            + (up.has(StageName.BASELINE) ? ", against " + Argv.text(b.baseline()) : ""),
        Map.of());
  }

  /** genai-perf's kserve endpoint is Triton's gRPC port, given without a scheme. */
  static String url(ServingBackend backend, String service) {
    return backend == ServingBackend.TRITON
        ? service + ":" + ServingEndpoint.GRPC_PORT
        : "http://" + service + ":" + ServingEndpoint.HTTP_PORT;
  }

  /** The model name requests carry: Triton's ensemble, else what the server was started with. */
  private static String servedModel(PipelineSpec spec, Upstream up, ServingBackend backend) {
    return backend == ServingBackend.TRITON ? TRITON_MODEL : ModelRef.served(spec, up).location();
  }

  /**
   * Rounds of {@code requests / concurrency} requests, each about outputTokens × 6 ms (the
   * manual run's ITL at low load, docs/manual-procedure.md "Benchmarks"), plus 15 s of tool
   * start-up per level.
   */
  private static long expectedSeconds(BenchmarkSpec b) {
    long total = 0;
    for (int level : b.concurrency()) {
      long rounds = (b.requestsAt(level) + level - 1) / level;
      total += 15 + rounds * b.outputTokens() * 6L / 1000;
    }
    return total;
  }

  private static String join(List<Integer> values) {
    return values.stream().map(String::valueOf).collect(Collectors.joining(","));
  }
}
