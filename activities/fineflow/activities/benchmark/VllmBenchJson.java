package fineflow.activities.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@code vllm bench serve --save-result} JSON (docs/upstream-tools.md "vllm bench serve").
 * vLLM reports mean/median/std/pNN of TTFT, TPOT (time per output token after the first), ITL and
 * E2EL; per-user throughput is derived from the mean TPOT (1000 / ms), as genai-perf defines it
 * without TTFT.
 */
public final class VllmBenchJson {

  private static final Pattern FILE_CONCURRENCY = Pattern.compile("concurrency(\\d+)");
  private static final ObjectMapper JSON = Json.mapper();

  private VllmBenchJson() {
  }

  /** True when the JSON looks like a vLLM bench result (and not e.g. a genai-perf export). */
  public static boolean isVllmResult(JsonNode root) {
    return root != null && root.isObject() && root.has("output_throughput") && root.has("completed");
  }

  public static BenchmarkRun read(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new BenchmarkFormatException(file + ": not readable JSON: " + e.getMessage(), e);
    }
    return parse(root, file.getFileName().toString(), file.toString());
  }

  public static BenchmarkRun parse(JsonNode root, String fileName, String source) {
    if (!isVllmResult(root)) {
      throw new BenchmarkFormatException(source
          + ": not a vllm bench serve result (no output_throughput/completed)");
    }
    long completed = root.get("completed").asLong();
    Double isl = completed > 0 && root.has("total_input_tokens")
        ? root.get("total_input_tokens").asDouble() / completed : null;
    Double osl = completed > 0 && root.has("total_output_tokens")
        ? root.get("total_output_tokens").asDouble() / completed : null;
    MetricStats tpot = percentiles(root, "tpot");
    MetricStats perUser = tpot == null || tpot.avg() == null || tpot.avg() <= 0 ? null
        : MetricStats.ofAvg("tokens/sec/user", 1000.0 / tpot.avg());
    String label = root.path("label").isTextual() ? root.get("label").asText()
        : "vllm-bench-" + root.path("backend").asText("openai");
    return new BenchmarkRun(
        BenchmarkRun.VLLM_BENCH,
        label,
        root.path("model_id").asText(null),
        concurrency(root, fileName, source),
        percentiles(root, "ttft"),
        null,
        percentiles(root, "itl"),
        perUser,
        null,
        MetricStats.ofAvg("tokens/sec", root.get("output_throughput").asDouble()),
        percentiles(root, "e2el"),
        root.has("request_throughput")
            ? MetricStats.ofAvg("requests/sec", root.get("request_throughput").asDouble()) : null,
        isl == null ? null : MetricStats.ofAvg("tokens", isl),
        osl == null ? null : MetricStats.ofAvg("tokens", osl),
        completed);
  }

  private static int concurrency(JsonNode root, String fileName, String source) {
    JsonNode max = root.get("max_concurrency");
    if (max != null && max.isNumber()) {
      return max.asInt();
    }
    Matcher m = FILE_CONCURRENCY.matcher(fileName);
    if (m.find()) {
      return Integer.parseInt(m.group(1));
    }
    throw new BenchmarkFormatException(source + ": max_concurrency is not set (run vllm bench"
        + " serve with --max-concurrency) and the file name has no concurrency<N>");
  }

  /** {@code mean_/median_/pNN_<name>_ms}; null when the metric was not selected. */
  private static MetricStats percentiles(JsonNode root, String name) {
    Double mean = number(root, "mean_" + name + "_ms");
    if (mean == null) {
      return null;
    }
    Double p50 = number(root, "p50_" + name + "_ms");
    return new MetricStats("ms", mean, null, null,
        p50 != null ? p50 : number(root, "median_" + name + "_ms"),
        number(root, "p90_" + name + "_ms"), number(root, "p95_" + name + "_ms"),
        number(root, "p99_" + name + "_ms"));
  }

  private static Double number(JsonNode root, String key) {
    JsonNode v = root.get(key);
    return v == null || !v.isNumber() ? null : v.asDouble();
  }
}
