package fineflow.activities.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkParsingTest {

  static Path resource(String name) throws Exception {
    return Paths.get(BenchmarkParsingTest.class.getResource("/benchmark/" + name).toURI());
  }

  @Test
  void readsTheSeedsTritonRunAtConcurrencyOne() throws Exception {
    BenchmarkRun run = GenaiPerfJson.read(resource(
        "genai-perf-triton/ensemble-triton-tensorrtllm-concurrency1/profile_export_genai_perf.json"));

    assertThat(run.tool()).isEqualTo("genai-perf");
    assertThat(run.label()).isEqualTo("triton-tensorrtllm");
    assertThat(run.model()).isEqualTo("ensemble");
    assertThat(run.concurrency()).isEqualTo(1);
    assertThat(run.ttft().avg()).isEqualTo(14.00);
    assertThat(run.ttft().min()).isEqualTo(12.34);
    assertThat(run.ttft().p99()).isEqualTo(16.47);
    assertThat(run.ttft().unit()).isEqualTo("ms");
    assertThat(run.timeToSecondToken().avg()).isEqualTo(6.09);
    assertThat(run.interTokenLatency().avg()).isEqualTo(5.83);
    assertThat(run.outputTokenThroughputPerUser().avg()).isEqualTo(173.18);
    assertThat(run.outputTokenThroughputPerUser().unit()).isEqualTo("tokens/sec/user");
    assertThat(run.outputTokenThroughput().avg()).isEqualTo(171.29);
    assertThat(run.outputTokenThroughput().p99()).as("throughput is an average only").isNull();
    assertThat(run.requestLatency().avg()).isEqualTo(1398.62);
    assertThat(run.requestCount()).isEqualTo(38);
    assertThat(run.inputSequenceLength().avg()).isEqualTo(512.08);
    assertThat(run.outputSequenceLength().avg()).isEqualTo(240.00);
    assertThat(run.streaming()).isTrue();
  }

  @Test
  void nonStreamingExportHasNoTokenTimingMetrics() throws Exception {
    BenchmarkRun run = GenaiPerfJson.read(resource(
        "genai-perf-nonstreaming/ensemble-triton-tensorrtllm-concurrency16/profile_export_genai_perf.json"));

    assertThat(run.concurrency()).isEqualTo(16);
    assertThat(run.streaming()).isFalse();
    assertThat(run.ttft()).isNull();
    assertThat(run.timeToSecondToken()).isNull();
    assertThat(run.interTokenLatency()).isNull();
    assertThat(run.outputTokenThroughputPerUser()).isNull();
    assertThat(run.outputTokenThroughput().avg()).isEqualTo(1106.4);
    assertThat(run.toPoint().ttftP99Ms()).isNull();
  }

  @Test
  void oldFormatUsesPerRequestNameAndFlatInputConfig() throws Exception {
    BenchmarkRun run = GenaiPerfJson.read(resource(
        "genai-perf-old/ensemble-triton-tensorrtllm-concurrency4/profile_export_genai_perf.json"));

    assertThat(run.concurrency()).isEqualTo(4);
    assertThat(run.label()).isEqualTo("triton-tensorrtllm");
    // Per request with TTFT included: not the per-user number, so never shown or gated as one.
    assertThat(run.outputTokenThroughputPerUser()).isNull();
    assertThat(run.outputTokenThroughputPerRequest().avg()).isEqualTo(152.1);
    assertThat(run.toPoint().outputTokenThroughputPerUser()).isNull();
    assertThat(run.ttft().p99()).isEqualTo(24.8);
  }

  @Test
  void concurrencyFallsBackToTheFolderName() throws Exception {
    var root = new ObjectMapper().readTree("""
        {"request_latency": {"unit": "ms", "avg": 10.0},
         "output_token_throughput": {"unit": "tokens/sec", "avg": 5.0},
         "request_count": {"unit": "count", "avg": 3}}""");

    BenchmarkRun run = GenaiPerfJson.parse(root, "my_model-openai-chat-concurrency32", "x.json");

    assertThat(run.concurrency()).isEqualTo(32);
    assertThat(run.label()).isEqualTo("my_model-openai-chat");
    assertThat(run.requestCount()).isEqualTo(3);
    assertThatThrownBy(() -> GenaiPerfJson.parse(root, "artifacts", "x.json"))
        .isInstanceOf(BenchmarkFormatException.class)
        .hasMessageContaining("x.json").hasMessageContaining("-concurrency<N>");
  }

  @Test
  void rejectsAFileThatIsNotAnExport(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("profile_export_genai_perf.json");
    Files.writeString(file, "{\"experiments\": []}");

    assertThatThrownBy(() -> GenaiPerfJson.read(file))
        .isInstanceOf(BenchmarkFormatException.class).hasMessageContaining(file.toString());
  }

  @Test
  void readsVllmBenchResult() throws Exception {
    BenchmarkRun run = VllmBenchJson.read(resource("genai-perf-triton/baseline/vllm-concurrency16.json"));

    assertThat(run.tool()).isEqualTo("vllm-bench");
    assertThat(run.concurrency()).isEqualTo(16);
    assertThat(run.model()).isEqualTo("elyza/ELYZA-japanese-Llama-2-7b-instruct");
    assertThat(run.outputTokenThroughput().avg()).isEqualTo(813.81);
    assertThat(run.ttft().avg()).isEqualTo(52.7);
    assertThat(run.ttft().p50()).isEqualTo(51.9095);
    assertThat(run.ttft().p99()).isEqualTo(60.605);
    assertThat(run.ttft().min()).isNull();
    assertThat(run.interTokenLatency().avg()).isEqualTo(19.38);
    assertThat(run.outputTokenThroughputPerUser().avg()).isCloseTo(1000 / 19.4, within(1e-9));
    assertThat(run.requestLatency().avg()).isCloseTo(52.7 + 19.4 * 255, within(1e-3));
    assertThat(run.requestCount()).isEqualTo(160);
    assertThat(run.inputSequenceLength().avg()).isEqualTo(512.0);
    assertThat(run.outputSequenceLength().avg()).isEqualTo(256.0);
    assertThat(run.timeToSecondToken()).isNull();
  }

  @Test
  void vllmWithoutPercentileSelectionAndUnlimitedConcurrency() throws Exception {
    var root = new ObjectMapper().readTree("""
        {"backend": "vllm", "model_id": "m", "max_concurrency": null, "completed": 10,
         "output_throughput": 100.5, "mean_ttft_ms": 20.0, "median_ttft_ms": 19.0, "p99_ttft_ms": 30.0}""");

    BenchmarkRun run = VllmBenchJson.parse(root, "vllm-concurrency8.json", "f");

    assertThat(run.concurrency()).isEqualTo(8);
    assertThat(run.label()).isEqualTo("vllm-bench-vllm");
    assertThat(run.ttft().p50()).isEqualTo(19.0);
    assertThat(run.interTokenLatency()).isNull();
    assertThat(run.outputTokenThroughputPerUser()).isNull();
    assertThat(run.requestLatency()).isNull();
    assertThatThrownBy(() -> VllmBenchJson.parse(root, "result.json", "f"))
        .hasMessageContaining("--max-concurrency");
  }

  @Test
  void loadsAnArtifactDirectoryWithBaseline() throws Exception {
    BenchmarkSet set = BenchmarkDirectory.load(resource("genai-perf-triton"));

    assertThat(set.candidate()).extracting(BenchmarkRun::concurrency).containsExactly(1, 4, 8, 16, 32, 64);
    assertThat(set.baseline()).extracting(BenchmarkRun::concurrency).containsExactly(1, 4, 8, 16, 32, 64);
    assertThat(set.candidate()).allMatch(r -> r.tool().equals("genai-perf"));
    assertThat(set.baseline()).allMatch(r -> r.tool().equals("vllm-bench"));
    var summary = set.summary();
    assertThat(summary.candidateAt(16).orElseThrow().outputTokenThroughput()).isEqualTo(1156.97);
    assertThat(summary.baselineAt(16).orElseThrow().outputTokenThroughput()).isEqualTo(813.81);
  }

  @Test
  void loadsVllmFilesAndSkipsNonResults(@TempDir Path dir) throws Exception {
    Files.copy(resource("vllm-bench/openai-concurrency4.json"), dir.resolve("openai-concurrency4.json"));
    Files.writeString(dir.resolve("summary.json"), "{\"output_throughput\": 1, \"completed\": 1}");
    Files.writeString(dir.resolve("notes.json"), "[1, 2]");

    BenchmarkSet set = BenchmarkDirectory.load(dir);

    assertThat(set.candidate()).singleElement().extracting(BenchmarkRun::concurrency).isEqualTo(4);
    assertThat(set.hasBaseline()).isFalse();
  }

  @Test
  void emptyDirectoryAndDuplicateLevelsAreErrors(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> BenchmarkDirectory.load(dir)).hasMessageContaining("no benchmark results");
    Files.copy(resource("vllm-bench/openai-concurrency4.json"), dir.resolve("a.json"));
    Files.copy(resource("vllm-bench/openai-concurrency4.json"), dir.resolve("b.json"));
    assertThatThrownBy(() -> BenchmarkDirectory.load(dir)).hasMessageContaining("two results for concurrency 4");
  }
}
