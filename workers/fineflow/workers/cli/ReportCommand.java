package fineflow.workers.cli;

import fineflow.activities.benchmark.BenchmarkDirectory;
import fineflow.activities.benchmark.BenchmarkFormatException;
import fineflow.activities.benchmark.BenchmarkSet;
import fineflow.activities.report.BenchmarkReport;
import fineflow.activities.report.ReportModel;
import fineflow.activities.report.RunInfo;
import fineflow.workers.client.RunReportSource;
import fineflow.workers.dev.DevEndpoints;
import fineflow.workflows.gate.GateVerdict;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.gate.PromotionGate;
import fineflow.workflows.spec.SloSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fineflow report RUN|DIR}: an HTML report (charts inline) and a Markdown summary. For a
 * run id, the run's stages, durations, artifacts, spec digest and gate verdict come from
 * Temporal, the benchmark results from the workspace volume.
 */
@Command(
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the report is written",
        "2:no such run or directory, or no finished benchmark in it",
        "6:cannot reach Temporal"},
    name = "report",
    header = "Render benchmark results as an HTML report with charts.",
    mixinStandardHelpOptions = true,
    description = {
        "Render benchmark results as a self-contained HTML report and a Markdown summary.",
        "DIR is a genai-perf artifact directory (one <model>-<kind>-concurrency<N>/ folder per",
        "level) or a folder of `vllm bench serve --save-result` files; the baseline's results,",
        "if any, go in DIR/baseline/. A single result file works too.",
        "RUN is a run id: its benchmark results are read from the workspace volume (--workspace,",
        "or the running `fineflow dev` stack's workspace) and the report lists the run's stages."})
public final class ReportCommand implements Callable<Integer> {

  @Parameters(paramLabel = "RUN|DIR", description = "A benchmark result directory or file, or a run id.")
  String source;

  @Option(names = "--workspace", paramLabel = "DIR",
      description = "Where the workspace volume (/workspace in the pods) is mounted here, for RUN."
          + " Default: the running `fineflow dev` stack's workspace.")
  Path workspace;

  @Mixin
  TemporalOptions temporal = new TemporalOptions();

  @Option(names = "--out", paramLabel = "FILE", defaultValue = "report.html",
      description = "HTML file to write; the Markdown summary goes next to it (.md). Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--title", description = "Report title. Default: derived from the results.")
  String title;

  @Option(names = "--candidate-label", description = "Legend of the candidate series. Default: the tool's label.")
  String candidateLabel;

  @Option(names = "--baseline-label", description = "Legend of the baseline series. Default: the tool's label.")
  String baselineLabel;

  @Option(names = "--slo-concurrency", description = "Promotion gate: the level the bounds are checked at. Default: the highest.")
  Integer sloConcurrency;

  @Option(names = "--slo-ttft-p99-ms", description = "Promotion gate: upper bound of TTFT p99 (ms).")
  Double sloTtftP99Ms;

  @Option(names = "--slo-itl-avg-ms", description = "Promotion gate: upper bound of the average inter-token latency (ms).")
  Double sloItlAvgMs;

  @Option(names = "--slo-min-throughput-percent",
      description = "Promotion gate: lower bound of output throughput as percent of the baseline's.")
  Double sloMinThroughputPercent;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path dir = Path.of(source);
    RunInfo run = null;
    GateVerdict runGate = null;
    if (!Files.exists(dir)) {
      if (!RunLookup.isRunId(source)) {
        spec.commandLine().getErr().println("fineflow report: '" + source + "' is neither a file or"
            + " directory nor a run id");
        return ExitCode.BAD_INPUT;
      }
      try {
        RunLookup.Found lookup = new RunLookup(temporal).withSpec(source);
        RunProgress progress = lookup.progress();
        RunReportSource found = RunReportSource.of(progress, lookup.spec(), workspace());
        dir = found.benchmarkDir();
        run = found.info();
        runGate = progress.gate().verdict();
      } catch (RunLookup.Failed e) {
        spec.commandLine().getErr().println("fineflow report: " + e.getMessage());
        return e.exitCode;
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("fineflow report: " + e.getMessage());
        return ExitCode.BAD_INPUT;
      }
    }
    BenchmarkSet results;
    try {
      results = BenchmarkDirectory.load(dir);
    } catch (BenchmarkFormatException e) {
      spec.commandLine().getErr().println("fineflow report: " + e.getMessage());
      return ExitCode.BAD_INPUT;
    }
    // A run's model is the spec's model.id; a directory has only the name the tool was given.
    String model = run != null ? run.model() : results.candidate().get(0).model();
    ReportModel report = ReportModel.of(title != null ? title
        : "Benchmark report" + (model == null ? "" : ": " + model), results);
    if (run != null) {
      report = report.withRun(run);
    }
    if (candidateLabel != null || baselineLabel != null) {
      report = report.withLabels(candidateLabel != null ? candidateLabel : report.candidateLabel(),
          baselineLabel != null ? baselineLabel : report.baselineLabel());
    }
    SloSpec slo = new SloSpec(sloConcurrency, sloTtftP99Ms, sloItlAvgMs, sloMinThroughputPercent);
    if (PromotionGate.isGated(slo)) {
      report = report.withGate(PromotionGate.evaluate(slo, results.rankable().summary()));
    } else if (runGate != null) {
      // The verdict the run acted on (from the stage result's metrics), not a re-evaluation.
      report = report.withGate(runGate);
    }
    BenchmarkReport.Written written = BenchmarkReport.write(report, out);
    spec.commandLine().getOut().println(written.html());
    spec.commandLine().getOut().println(written.markdown());
    return ExitCode.OK;
  }

  private Path workspace() {
    return workspace != null ? workspace
        : DevEndpoints.read().map(e -> Path.of(e.workspace())).orElse(null);
  }
}
