package fineflow.workers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import fineflow.workers.stage.StageBenchmarkCommand;
import picocli.CommandLine;

class StageBenchmarkCommandTest {

  int run(StringWriter err, String... args) {
    CommandLine cl = new CommandLine(new StageBenchmarkCommand());
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  /** The parameters the planner renders, with {@code changes} applied ("key=JSON value"). */
  static String params(java.nio.file.Path out, String... changes) {
    var p = fineflow.workflows.format.Json.mapper().createObjectNode()
        .put("stage", "benchmark").put("tool", "genai-perf").put("url", "elyza-rollout-3f2a9c1d7e4b:8001")
        .put("model", "ensemble").put("tokenizer", "elyza/ELYZA-japanese-Llama-2-7b-instruct")
        .put("inputTokens", 512).put("outputTokens", 256).put("streaming", true).put("endpointType", "kserve")
        .put("baselineUrl", "http://elyza-baseline-aaaabbbbcccc:8000")
        .put("baselineModel", "elyza/ELYZA-japanese-Llama-2-7b-instruct").put("output", out.toString());
    p.putArray("concurrency").add(1).add(4).add(8);
    p.putArray("requests").add(32).add(40).add(80);
    try {
      for (String change : changes) {
        String[] kv = change.split("=", 2);
        p.set(kv[0], fineflow.workflows.format.Json.mapper().readTree(kv[1]));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return p.toString();
  }

  @Test
  void impossibleCombinationsAreBadInput(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
    StringWriter err = new StringWriter();

    int vllmKserve = run(err, "--params", params(tmp, "tool=\"vllm-bench\""));
    int unknownTool = run(err, "--params", params(tmp, "tool=\"perf_analyzer\""));
    int badLevels = run(err, "--params", params(tmp, "concurrency=[0,4,8]"));
    int notJson = run(err, "--params", "{tool: genai-perf");
    int otherStage = run(err, "--params", params(tmp, "stage=\"train\""));

    assertThat(vllmKserve).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(unknownTool).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(badLevels).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(notJson).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(otherStage).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("OpenAI API only", "expected genai-perf or vllm-bench, got 'perf_analyzer'",
        "levels >= 1", "--params is not the JSON of BenchmarkParams");
  }

  @Test
  void acceptsThePlannersArgvAndRunsTheTool(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
    StringWriter err = new StringWriter();

    int code = run(err, "--params", params(tmp.resolve("out")),
        "--result-file", tmp.resolve("termination-log").toString(), "--executable", "/bin/false");

    assertThat(code).as(err.toString()).isEqualTo(fineflow.activities.stages.benchmark.BenchmarkProgram.EXIT_TOOL_FAILED);
  }

  @Test
  void parsesThePlannedBenchmarkStage(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    for (String config : java.util.List.of("elyza-7b-qlora-triton.yaml", "gpt-oss-20b-trtllm-serve.yaml")) {
      var spec = fineflow.workflows.spec.SpecLoader.load(
          java.nio.file.Files.readString(java.nio.file.Path.of("configs", config)), config);
      var argv = new java.util.ArrayList<>(fineflow.workflows.plan.Planner.plan(spec)
          .stage(fineflow.workflows.plan.StageName.BENCHMARK).orElseThrow().argv());
      assertThat(argv.subList(0, 3)).containsExactly("fineflow", "stage", "benchmark");
      int at = argv.indexOf("--params") + 1;
      var params = (com.fasterxml.jackson.databind.node.ObjectNode) fineflow.workflows.format.Json.mapper()
          .readTree(argv.get(at));
      argv.set(at, params.put("output", tmp.resolve(config).toString()).toString());
      argv.addAll(java.util.List.of("--result-file", tmp.resolve("termination-log").toString(),
          "--executable", "/bin/false"));
      StringWriter err = new StringWriter();

      int code = run(err, argv.subList(3, argv.size()).toArray(String[]::new));

      assertThat(code).as(config + ": " + err).isEqualTo(fineflow.activities.stages.benchmark.BenchmarkProgram.EXIT_TOOL_FAILED);
    }
  }
}
