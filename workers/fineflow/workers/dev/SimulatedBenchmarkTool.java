package fineflow.workers.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fineflow.activities.benchmark.BenchmarkArgv;
import fineflow.activities.benchmark.GenaiPerfJson;
import fineflow.workflows.format.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes what genai-perf or {@code vllm bench serve} would export for one concurrency level,
 * so that the real benchmark program (parsing, summary, report) runs on the simulated GPU
 * node. The numbers follow the manual run's shape (docs/manual-procedure.md "Benchmarks"): at
 * concurrency 1 about 173 tokens/s per user and a 14 ms TTFT, throughput rising linearly up to the
 * batch size and flat after it, vLLM at about 0.7× Triton. Every label says "simulated".
 */
final class SimulatedBenchmarkTool {
  /** The manual run's engine batch size; the simulated throughput flattens above it. */
  static final int BATCH = 16;
  private static final double PER_USER_AT_1 = 173.18;
  private static final double TTFT_AT_1 = 14.0;
  private static final double VLLM_FACTOR = 813.81 / 1156.97;
  private static final ObjectMapper JSON = Json.pretty();

  private SimulatedBenchmarkTool() {
  }

  /** Writes the export of the tool run {@code argv} (genai-perf or vllm; local paths), where that tool would. */
  static void write(List<String> argv) {
    StageArgs args = new StageArgs(argv);
    try {
      if (argv.contains("profile")) {
        genaiPerf(args);
      } else {
        vllmBench(args);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Level(double perUser, double throughput, double ttft, double itl, double latency,
      double requestsPerSecond) {
    static Level at(int c, int outputTokens, double factor) {
      double perUser = PER_USER_AT_1 * factor * (c <= BATCH ? 1.0 - 0.01 * (c - 1) : (double) BATCH / c);
      double ttft = TTFT_AT_1 * (1 + 0.08 * (Math.min(c, BATCH) - 1)) * (c > BATCH ? (double) c / BATCH : 1);
      double itl = 1000.0 / perUser;
      double latency = ttft + itl * outputTokens;
      return new Level(perUser, perUser * c * outputTokens * itl / latency, ttft, itl, latency,
          c * 1000.0 / latency);
    }
  }

  private static void genaiPerf(StageArgs args) throws IOException {
    int c = args.intFlag("--concurrency", 1);
    int in = args.intFlag("--synthetic-input-tokens-mean", 512);
    int out = args.intFlag("--output-tokens-mean", 256);
    int requests = args.intFlag("--request-count", Math.max(32, 10 * c));
    boolean streaming = args.argv().contains("--streaming");
    Level l = Level.at(c, out, 1.0);
    ObjectNode root = JSON.createObjectNode();
    root.putObject("request_throughput").put("unit", "requests/sec").put("avg", round(l.requestsPerSecond()));
    root.set("request_latency", stats("ms", l.latency(), 0.03));
    root.putObject("request_count").put("unit", "count").put("avg", requests);
    if (streaming) {
      root.set("time_to_first_token", stats("ms", l.ttft(), 0.08));
      root.set("time_to_second_token", stats("ms", l.itl() * 1.05, 0.05));
      root.set("inter_token_latency", stats("ms", l.itl(), 0.02));
      root.set("output_token_throughput_per_user", stats("tokens/sec/user", l.perUser(), 0.02));
    }
    root.putObject("output_token_throughput").put("unit", "tokens/sec").put("avg", round(l.throughput()));
    // Without ignore_eos / min_tokens a request stops at its end token: OSL 240 of 256 in the
    // manual run.
    boolean allTokens = args.argv().contains("ignore_eos:true") || args.argv().contains("min_tokens:" + out);
    root.set("output_sequence_length", stats("tokens", allTokens ? out : out * 240.0 / 256, 0.0));
    root.set("input_sequence_length", stats("tokens", in, 0.0));
    root.putObject("telemetry_stats");
    ObjectNode config = root.putObject("input_config");
    config.putArray("model_names").add(args.flag("-m").orElse("model"));
    config.putObject("endpoint").put("type", args.flag("--endpoint-type").orElse("kserve"))
        .put("backend", args.flag("--backend").orElse("openai") + " (simulated)")
        .put("streaming", streaming);
    config.putObject("perf_analyzer").putObject("stimulus").put("concurrency", c);
    // genai-perf appends its own <model>-<kind>-concurrency<N> folder to --artifact-dir.
    Path dir = Path.of(args.flag("--artifact-dir").orElseThrow()).resolve(BenchmarkArgv.genaiPerfFolder(
        args.flag("-m").orElse("model"), args.flag("--endpoint-type").orElse("kserve"), c));
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve(GenaiPerfJson.FILE_NAME).toFile(), root);
  }

  private static void vllmBench(StageArgs args) throws IOException {
    int c = args.intFlag("--max-concurrency", 1);
    int in = args.intFlag("--random-input-len", 512);
    int out = args.intFlag("--random-output-len", 256);
    int prompts = args.intFlag("--num-prompts", Math.max(32, 10 * c));
    Level l = Level.at(c, out, VLLM_FACTOR);
    ObjectNode root = JSON.createObjectNode()
        .put("label", "vllm (simulated)")
        .put("backend", args.flag("--backend").orElse("openai"))
        .put("model_id", args.flag("--model").orElse("model"))
        .put("num_prompts", prompts).put("request_rate", "inf").put("max_concurrency", c)
        .put("duration", round(prompts / l.requestsPerSecond())).put("completed", prompts).put("failed", 0)
        .put("total_input_tokens", (long) in * prompts).put("total_output_tokens", (long) out * prompts)
        .put("request_throughput", round(l.requestsPerSecond()))
        .put("output_throughput", round(l.throughput()))
        .put("total_token_throughput", round(l.throughput() * (in + out) / out));
    percentiles(root, "ttft", l.ttft());
    percentiles(root, "tpot", l.itl());
    percentiles(root, "itl", l.itl());
    percentiles(root, "e2el", l.latency());
    Path dir = Path.of(args.flag("--result-dir").orElseThrow());
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve(args.flag("--result-filename").orElseThrow()).toFile(), root);
  }

  private static ObjectNode stats(String unit, double avg, double spread) {
    ObjectNode s = JSON.createObjectNode().put("unit", unit).put("avg", round(avg));
    double[] q = {1, 5, 10, 25, 50, 75, 90, 95, 99};
    for (double p : q) {
      s.put("p" + (int) p, round(avg * (1 + spread * (p - 50) / 50)));
    }
    return s.put("min", round(avg * (1 - spread * 1.2))).put("max", round(avg * (1 + spread * 1.3)))
        .put("std", round(avg * spread / 2));
  }

  private static void percentiles(ObjectNode root, String name, double mean) {
    root.put("mean_" + name + "_ms", round(mean)).put("median_" + name + "_ms", round(mean))
        .put("std_" + name + "_ms", round(mean * 0.02)).put("p50_" + name + "_ms", round(mean))
        .put("p90_" + name + "_ms", round(mean * 1.03)).put("p95_" + name + "_ms", round(mean * 1.04))
        .put("p99_" + name + "_ms", round(mean * 1.06));
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
