package fineflow.activities.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Loads benchmark results laid out as the tools write them: genai-perf's artifact directory
 * (one {@code <model>-<kind>-concurrency<N>/} folder per level) or vLLM result files, with the
 * baseline's results in a {@code baseline/} sub-folder. A single result file works too.
 */
public final class BenchmarkDirectory {

  public static final String BASELINE_DIR = "baseline";
  /** Files genai-perf and fineflow write next to the results that are not results. */
  private static final Set<String> NOT_RESULTS =
      Set.of("profile_export.json", "inputs.json", "summary.json", "llm_inputs.json");
  private static final ObjectMapper JSON = Json.mapper();

  private BenchmarkDirectory() {
  }

  public static BenchmarkSet load(Path path) {
    if (Files.isRegularFile(path)) {
      return new BenchmarkSet(List.of(readFile(path)), List.of());
    }
    if (!Files.isDirectory(path)) {
      throw new BenchmarkFormatException(path + ": no such file or directory");
    }
    Path baselineDir = path.resolve(BASELINE_DIR);
    List<BenchmarkRun> candidate = readTree(path, baselineDir);
    List<BenchmarkRun> baseline = Files.isDirectory(baselineDir) ? readTree(baselineDir, null) : List.of();
    if (candidate.isEmpty()) {
      throw new BenchmarkFormatException(path + ": no benchmark results found (expected "
          + GenaiPerfJson.FILE_NAME + " in per-concurrency folders, or vllm bench result JSON files)");
    }
    return new BenchmarkSet(candidate, baseline);
  }

  private static List<BenchmarkRun> readTree(Path root, Path skip) {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(p -> skip == null || !p.startsWith(skip))
          .filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(".json"))
          .filter(p -> !NOT_RESULTS.contains(p.getFileName().toString()))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<BenchmarkRun> runs = new ArrayList<>();
    Map<Integer, Path> seen = new HashMap<>();
    for (Path file : files) {
      BenchmarkRun run = readIfResult(file);
      if (run == null) {
        continue;
      }
      Path other = seen.putIfAbsent(run.concurrency(), file);
      if (other != null) {
        throw new BenchmarkFormatException(root + ": two results for concurrency "
            + run.concurrency() + ": " + other + " and " + file);
      }
      runs.add(run);
    }
    return runs;
  }

  private static BenchmarkRun readFile(Path file) {
    BenchmarkRun run = readIfResult(file);
    if (run == null) {
      throw new BenchmarkFormatException(file + ": neither a genai-perf export nor a vllm bench result");
    }
    return run;
  }

  /** Null for JSON files that are not benchmark results (genai-perf writes several). */
  private static BenchmarkRun readIfResult(Path file) {
    if (file.getFileName().toString().equals(GenaiPerfJson.FILE_NAME)) {
      return GenaiPerfJson.read(file);
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      return null;
    }
    if (VllmBenchJson.isVllmResult(root)) {
      return VllmBenchJson.parse(root, file.getFileName().toString(), file.toString());
    }
    if (root != null && root.has("request_latency") && root.has("input_config")) {
      Path dir = file.toAbsolutePath().getParent();
      return GenaiPerfJson.parse(root, dir == null ? "" : dir.getFileName().toString(), file.toString());
    }
    return null;
  }
}
