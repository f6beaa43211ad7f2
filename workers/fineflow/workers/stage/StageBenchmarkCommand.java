package fineflow.workers.stage;

import fineflow.activities.benchmark.BenchmarkOptions;
import fineflow.activities.stages.benchmark.BenchmarkProgram;
import fineflow.workflows.spec.BenchmarkTool;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code fineflow stage benchmark}: the benchmark stage's program, run in the benchmark Job's pod. */
@Command(
    name = "benchmark",
    mixinStandardHelpOptions = true,
    description = {
        "Sweep concurrency levels with genai-perf or `vllm bench serve` against the candidate",
        "(and the baseline), then write summary.json, report.html/.md and the stage result."})
public final class StageBenchmarkCommand implements Callable<Integer> {

  @Option(names = "--tool", required = true, description = "genai-perf or vllm-bench.")
  String tool;

  @Option(names = "--url", required = true,
      description = "Candidate server: host:8001 for kserve (gRPC), http://host:8000 for chat/completions.")
  String url;

  @Option(names = "--model", required = true, description = "Model name the requests use (Triton: ensemble).")
  String model;

  @Option(names = "--tokenizer", required = true, description = "Tokenizer id or path that counts tokens.")
  String tokenizer;

  @Option(names = "--concurrency", split = ",", defaultValue = "1,4,8,16,32,64",
      description = "Concurrency levels. Default: ${DEFAULT-VALUE}.")
  List<Integer> concurrency;

  @Option(names = "--input-tokens", defaultValue = "512", description = "Input length. Default: ${DEFAULT-VALUE}.")
  int inputTokens;

  @Option(names = "--output-tokens", defaultValue = "256", description = "Output length. Default: ${DEFAULT-VALUE}.")
  int outputTokens;

  @Option(names = "--requests", split = ",",
      description = "Requests per level: one count, or one per level. Default: 10 x concurrency, at least 32.")
  List<Integer> requests;

  @Option(names = "--streaming", arity = "1", defaultValue = "true",
      description = "Stream tokens (TTFT and ITL are measured only when streaming). Default: ${DEFAULT-VALUE}.")
  boolean streaming;

  @Option(names = "--endpoint-type", defaultValue = "kserve",
      description = "kserve (Triton), chat or completions. Default: ${DEFAULT-VALUE}.")
  String endpointType;

  @Option(names = "--baseline-url", description = "Baseline server (OpenAI API), measured over the same levels.")
  String baselineUrl;

  @Option(names = "--baseline-model", description = "Model name on the baseline server.")
  String baselineModel;

  @Option(names = "--baseline-tool", defaultValue = "vllm-bench",
      description = "genai-perf or vllm-bench for the baseline. Default: ${DEFAULT-VALUE}.")
  String baselineTool;

  @Option(names = "--output", required = true, description = "Directory for the tools' results, summary and report.")
  Path output;

  @Option(names = "--result-file", defaultValue = "/dev/termination-log",
      description = "Where the stage result (termination message) goes. Default: ${DEFAULT-VALUE}.")
  Path resultFile;

  @Option(names = "--executable", hidden = true, description = "Replaces the tool's program name (tests).")
  String executable;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return new BenchmarkProgram(options(), spec.commandLine().getOut(), spec.commandLine().getErr()).run();
  }

  /** The parsed options; the embedded dev stack reads them to simulate the tools' output. */
  public BenchmarkOptions options() {
    try {
      return new BenchmarkOptions(tool(tool, "--tool"), url, model, tokenizer, concurrency, inputTokens,
          outputTokens, requests, streaming, endpointType, baselineUrl, baselineModel,
          tool(baselineTool, "--baseline-tool"), output, resultFile, executable);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private BenchmarkTool tool(String name, String option) {
    return switch (name) {
      case "genai-perf" -> BenchmarkTool.GENAI_PERF;
      case "vllm-bench" -> BenchmarkTool.VLLM_BENCH;
      default -> throw new ParameterException(spec.commandLine(),
          option + ": expected genai-perf or vllm-bench, got '" + name + "'");
    };
  }
}
