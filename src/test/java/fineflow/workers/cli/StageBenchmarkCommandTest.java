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

  @Test
  void impossibleCombinationsAreBadInput() {
    StringWriter err = new StringWriter();

    int vllmKserve = run(err, "--tool", "vllm-bench", "--url", "u", "--model", "m", "--tokenizer", "t",
        "--endpoint-type", "kserve", "--output", "out");
    int unknownTool = run(err, "--tool", "perf_analyzer", "--url", "u", "--model", "m", "--tokenizer", "t",
        "--output", "out");
    int badLevels = run(err, "--tool", "genai-perf", "--url", "u", "--model", "m", "--tokenizer", "t",
        "--concurrency", "0,4", "--output", "out");

    assertThat(vllmKserve).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(unknownTool).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(badLevels).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(err.toString()).contains("OpenAI API only", "expected genai-perf or vllm-bench, got 'perf_analyzer'",
        "levels >= 1");
  }

  @Test
  void acceptsThePlannersArgvAndRunsTheTool(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
    StringWriter err = new StringWriter();

    int code = run(err, "--tool", "genai-perf", "--url", "elyza-rollout-3f2a9c1d7e4b:8001", "--model", "ensemble",
        "--tokenizer", "elyza/ELYZA-japanese-Llama-2-7b-instruct", "--concurrency", "1,4,8",
        "--input-tokens", "512", "--output-tokens", "256", "--requests", "32,40,80", "--streaming", "true",
        "--endpoint-type", "kserve", "--baseline-url", "http://elyza-baseline-aaaabbbbcccc:8000",
        "--baseline-model", "elyza/ELYZA-japanese-Llama-2-7b-instruct", "--output", tmp.resolve("out").toString(),
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
      argv.set(argv.indexOf("--output") + 1, tmp.resolve(config).toString());
      argv.addAll(java.util.List.of("--result-file", tmp.resolve("termination-log").toString(),
          "--executable", "/bin/false"));
      StringWriter err = new StringWriter();

      int code = run(err, argv.subList(3, argv.size()).toArray(String[]::new));

      assertThat(code).as(config + ": " + err).isEqualTo(fineflow.activities.stages.benchmark.BenchmarkProgram.EXIT_TOOL_FAILED);
    }
  }
}
