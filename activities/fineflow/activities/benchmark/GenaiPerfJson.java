package fineflow.activities.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads genai-perf's {@code profile_export_genai_perf.json} (docs/upstream-tools.md "genai-perf"),
 * old and new layouts: before Apr 2025 it exported {@code output_token_throughput_per_request} (per
 * request, TTFT included) where it now exports {@code …_per_user} (TTFT excluded), so the old
 * number is kept apart, never shown as per-user; and {@code input_config} went from a flat argparse
 * dict to nested sections.
 */
public final class GenaiPerfJson {

  public static final String FILE_NAME = "profile_export_genai_perf.json";
  private static final Pattern DIR_CONCURRENCY = Pattern.compile("^(.*)-concurrency(\\d+)$");
  private static final ObjectMapper JSON = Json.mapper();

  private GenaiPerfJson() {
  }

  public static BenchmarkRun read(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new BenchmarkFormatException(file + ": not readable JSON: " + e.getMessage(), e);
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(root, dir == null ? "" : dir.getFileName().toString(), file.toString());
  }

  /**
   * @param dirName the name of the folder genai-perf wrote to, e.g.
   *     {@code ensemble-triton-tensorrtllm-concurrency16}: a fallback for concurrency and label
   * @param source the file name used in error messages
   */
  public static BenchmarkRun parse(JsonNode root, String dirName, String source) {
    if (root == null || !root.isObject() || !root.has("request_latency")) {
      throw new BenchmarkFormatException(source
          + ": not a genai-perf export (no request_latency; expected " + FILE_NAME + ")");
    }
    JsonNode config = root.path("input_config");
    Matcher dir = DIR_CONCURRENCY.matcher(dirName);
    int concurrency = concurrency(config, dir, source);
    MetricStats count = MetricStats.fromGenaiPerf(root.get("request_count"));
    return new BenchmarkRun(
        BenchmarkRun.GENAI_PERF,
        label(config, dir),
        model(config),
        concurrency,
        MetricStats.fromGenaiPerf(root.get("time_to_first_token")),
        MetricStats.fromGenaiPerf(root.get("time_to_second_token")),
        MetricStats.fromGenaiPerf(root.get("inter_token_latency")),
        MetricStats.fromGenaiPerf(root.get("output_token_throughput_per_user")),
        MetricStats.fromGenaiPerf(root.get("output_token_throughput_per_request")),
        MetricStats.fromGenaiPerf(root.get("output_token_throughput")),
        MetricStats.fromGenaiPerf(root.get("request_latency")),
        MetricStats.fromGenaiPerf(root.get("request_throughput")),
        MetricStats.fromGenaiPerf(root.get("input_sequence_length")),
        MetricStats.fromGenaiPerf(root.get("output_sequence_length")),
        count == null || count.avg() == null ? null : Math.round(count.avg()));
  }

  private static int concurrency(JsonNode config, Matcher dir, String source) {
    JsonNode nested = config.path("perf_analyzer").path("stimulus").path("concurrency");
    if (nested.isInt()) {
      return nested.asInt();
    }
    JsonNode flat = config.path("concurrency");
    if (flat.isInt()) {
      return flat.asInt();
    }
    if (dir.matches()) {
      return Integer.parseInt(dir.group(2));
    }
    throw new BenchmarkFormatException(source + ": no concurrency in input_config and the folder"
        + " name does not end in -concurrency<N> (request-rate runs are not supported)");
  }

  private static String label(JsonNode config, Matcher dir) {
    JsonNode endpoint = config.path("endpoint");
    String type = endpoint.isObject() ? endpoint.path("type").asText("")
        : config.path("endpoint_type").asText("");
    String backend = endpoint.isObject() ? endpoint.path("backend").asText("")
        : config.path("backend").asText("");
    if (type.equals("kserve")) {
      return "triton-" + (backend.isEmpty() ? "tensorrtllm" : backend);
    }
    if (!type.isEmpty()) {
      return "openai-" + type;
    }
    return dir.matches() ? dir.group(1) : "genai-perf";
  }

  private static String model(JsonNode config) {
    JsonNode names = config.has("model_names") ? config.get("model_names") : config.path("model");
    if (names.isArray() && !names.isEmpty()) {
      return names.get(0).asText();
    }
    return names.isTextual() ? names.asText() : null;
  }
}
