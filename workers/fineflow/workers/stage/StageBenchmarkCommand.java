package fineflow.workers.stage;

import fineflow.activities.benchmark.BenchmarkOptions;
import fineflow.activities.stages.benchmark.BenchmarkProgram;
import fineflow.workflows.plan.BenchmarkParams;
import fineflow.workflows.plan.StageParams;
import fineflow.workflows.spec.BenchmarkTool;
import java.nio.file.Path;
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

  @Option(names = StageParams.OPTION, required = true, paramLabel = "JSON",
      description = {"The stage's parameters as the planner made them (BenchmarkParams): tool,",
          "url, model, tokenizer, concurrency, requests (one per level), inputTokens,",
          "outputTokens, streaming, endpointType, baselineUrl, baselineModel, output."})
  String params;

  @Option(names = "--baseline-tool", defaultValue = "vllm-bench",
      description = "genai-perf or vllm-bench for the baseline. Default: ${DEFAULT-VALUE}.")
  String baselineTool;

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
      return new BenchmarkOptions(StageParams.fromJson(params, BenchmarkParams.class),
          tool(baselineTool, "--baseline-tool"), resultFile, executable);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private BenchmarkTool tool(String name, String option) {
    try {
      return BenchmarkOptions.tool(name);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
    }
  }
}
