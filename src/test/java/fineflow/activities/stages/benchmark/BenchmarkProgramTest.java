package fineflow.activities.stages.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.activities.benchmark.BenchmarkOptions;
import fineflow.workflows.plan.BenchmarkParams;
import fineflow.workflows.gate.BenchmarkPoint;
import fineflow.workflows.gate.BenchmarkSummary;
import fineflow.workflows.spec.BenchmarkTool;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the program against a stand-in tool that writes the real-shaped exports of the test resources. */
class BenchmarkProgramTest {

  @TempDir
  Path tmp;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /** genai-perf or vllm (argv[0] replaced): copies the export of the level it was asked for. */
  Path fakeTool(String extra) throws Exception {
    Path resources = Paths.get(getClass().getResource("/benchmark/genai-perf-triton").toURI());
    Path script = tmp.resolve("fake-tool.sh");
    Files.writeString(script, """
        #!/bin/bash
        set -e
        %s
        args=("$@")
        value() { for ((i=0; i<${#args[@]}; i++)); do if [[ "${args[$i]}" == "$1" ]]; then echo "${args[$((i+1))]}"; fi; done; }
        echo "starting $1 with $# arguments"
        if [[ "$1" == profile ]]; then
          # genai-perf appends <model>-<kind>-concurrency<N> to --artifact-dir itself.
          c=$(value --concurrency); dir=$(value --artifact-dir)/ensemble-triton-tensorrtllm-concurrency$c; mkdir -p "$dir"
          cp "%s/ensemble-triton-tensorrtllm-concurrency$c/profile_export_genai_perf.json" "$dir/"
          echo '{"experiments": []}' > "$dir/profile_export.json"
        else
          c=$(value --max-concurrency); dir=$(value --result-dir); mkdir -p "$dir"
          cp "%s/baseline/vllm-concurrency$c.json" "$dir/$(value --result-filename)"
        fi
        """.formatted(extra, resources, resources));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  BenchmarkProgram program(Path tool, List<Integer> levels, String baselineUrl) {
    return new BenchmarkProgram(new BenchmarkOptions(new BenchmarkParams("genai-perf", "elyza.fineflow.svc:8001",
        "ensemble", "elyza/ELYZA-japanese-Llama-2-7b-instruct",
        levels, 512, 256, levels.stream().map(c -> Math.max(32, 10 * c)).toList(), true, "kserve",
        baselineUrl, baselineUrl == null ? null : "elyza/ELYZA-japanese-Llama-2-7b-instruct",
        tmp.resolve("out").toString()), null, tmp.resolve("termination-log"), tool.toString()),
        new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true),
        new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
  }

  @Test
  void sweepsCandidateAndBaselineAndWritesTheStageResult() throws Exception {
    int code = program(fakeTool(""), List.of(1, 16), "http://elyza-vllm.fineflow.svc:8000").run();

    assertThat(code).as(err.toString()).isEqualTo(BenchmarkProgram.EXIT_OK);
    assertThat(out.toString()).contains("{\"event\":\"progress\",\"step\":0,\"totalSteps\":4,\"target\":\"candidate\",\"concurrency\":1}",
        "{\"event\":\"progress\",\"step\":4,\"totalSteps\":4}");
    Path outDir = tmp.resolve("out");
    assertThat(outDir.resolve("ensemble-triton-tensorrtllm-concurrency16/profile_export_genai_perf.json")).exists();
    assertThat(outDir.resolve("baseline/vllm-concurrency16.json")).exists();
    assertThat(Files.readString(outDir.resolve("logs/candidate-concurrency1.log"))).contains("starting profile");
    JsonNode summary = new ObjectMapper().readTree(outDir.resolve("summary.json").toFile());
    assertThat(summary.get("candidate")).hasSize(2);
    assertThat(summary.get("baseline").get(1).get("outputTokenThroughput").get("avg").asDouble()).isEqualTo(813.81);
    assertThat(Files.readString(outDir.resolve("report.html"))).contains("data:image/png;base64,", "1,156.97");
    assertThat(outDir.resolve("report.md")).exists();

    String raw = Files.readString(tmp.resolve("termination-log"));
    assertThat(raw.getBytes(StandardCharsets.UTF_8).length).isLessThan(4096);
    JsonNode message = new ObjectMapper().readTree(raw);
    assertThat(message.get("metrics").get("c16.outputThroughput").asDouble()).isEqualTo(1156.97);
    // The fixture's baseline generated 256 tokens per request, the candidate 240: unequal work
    // is not handed to the gate (summary.json and the report still show it, marked not ranked).
    assertThat(message.get("metrics").get("baseline.c16.outputThroughput")).isNull();
    assertThat(message.get("metrics").get("c1.ttftP99Ms").asDouble()).isEqualTo(16.47);
    assertThat(message.get("metrics").get("outputThroughputAtMaxConcurrency").asDouble()).isEqualTo(1156.97);
    assertThat(message.get("artifacts")).extracting(a -> a.get("name").asText())
        .containsExactly("benchmark-report", "benchmark-summary");
    assertThat(message.get("artifacts").get(1).get("sha256").asText()).hasSize(64);
    assertThat(message.get("simulated").asBoolean()).isFalse();
  }

  @Test
  void aFailingToolFailsTheStageWithItsOutput() throws Exception {
    int code = program(fakeTool("echo 'grpc: connection refused to elyza.fineflow.svc:8001'; exit 3"), List.of(1), null).run();

    assertThat(code).isEqualTo(BenchmarkProgram.EXIT_TOOL_FAILED);
    assertThat(err.toString()).contains("failed for the candidate at concurrency 1 (exit 3)", "connection refused");
    assertThat(tmp.resolve("termination-log")).doesNotExist();
  }

  @Test
  void aLevelWithoutResultIsInvalidOutput() throws Exception {
    int code = program(fakeTool("[[ \"$1\" == profile && \" $* \" == *' --concurrency 4 '* ]] && exit 0"),
        List.of(1, 4), null).run();

    assertThat(code).isEqualTo(BenchmarkProgram.EXIT_OUTPUT_INVALID);
    assertThat(err.toString()).contains("no candidate result for concurrency [4]");
  }

  @Test
  void terminationMessageStaysUnderTheKubeletLimit() throws Exception {
    Path summary = Files.writeString(tmp.resolve("summary.json"), "{}");
    BenchmarkProgram p = program(fakeTool(""), List.of(1), null);

    p.writeTerminationMessage(sweep(List.of(1, 2, 4, 8, 16, 32, 64, 128, 256)), summary, summary);
    JsonNode nine = new ObjectMapper().readTree(Files.readString(tmp.resolve("termination-log"))).get("metrics");
    p.writeTerminationMessage(sweep(java.util.stream.IntStream.rangeClosed(1, 60).boxed().toList()), summary, summary);
    String sixty = Files.readString(tmp.resolve("termination-log"));

    assertThat(nine.get("c256.outputThroughput").asDouble()).isEqualTo(1156.97);
    assertThat(nine.get("c256.ttftP99Ms").asDouble()).isEqualTo(123.46);
    assertThat(nine.get("baseline.c256.outputThroughput").asDouble()).isEqualTo(813.81);
    assertThat(sixty.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(BenchmarkProgram.TERMINATION_LIMIT);
    assertThat(new ObjectMapper().readTree(sixty).get("metrics").has("outputThroughputAtMaxConcurrency")).isTrue();
  }

  private static BenchmarkSummary sweep(List<Integer> levels) {
    List<BenchmarkPoint> cand = new ArrayList<>();
    List<BenchmarkPoint> base = new ArrayList<>();
    for (int c : levels) {
      cand.add(new BenchmarkPoint(c, 123.456789, 100.0, 13.3123456, 1156.97123, 75.3512345));
      base.add(new BenchmarkPoint(c, 150.0, 120.0, 19.38, 813.81, 51.5));
    }
    return new BenchmarkSummary(cand, base);
  }
}
