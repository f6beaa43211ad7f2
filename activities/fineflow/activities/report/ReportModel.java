package fineflow.activities.report;

import fineflow.activities.benchmark.BenchmarkSet;
import fineflow.workflows.gate.GateVerdict;
import java.util.Optional;

/**
 * Everything a benchmark report shows.
 *
 * @param run the run's stages, durations, artifacts and spec digest; null for a bare directory
 * @param gate the promotion gate's verdict; null when the spec sets no SLO
 */
public record ReportModel(
    String title, String candidateLabel, String baselineLabel, BenchmarkSet results, RunInfo run,
    GateVerdict gate) {

  /** A report of benchmark results alone, labelled by what the tools recorded. */
  public static ReportModel of(String title, BenchmarkSet results) {
    String candidate = results.candidate().isEmpty() ? "candidate" : results.candidate().get(0).label();
    String baseline = results.baseline().isEmpty() ? "baseline" : results.baseline().get(0).label();
    return new ReportModel(title, "candidate: " + candidate, "baseline: " + baseline, results, null, null);
  }

  public ReportModel withRun(RunInfo info) {
    return new ReportModel(title, candidateLabel, baselineLabel, results, info, gate);
  }

  public ReportModel withGate(GateVerdict verdict) {
    return new ReportModel(title, candidateLabel, baselineLabel, results, run, verdict);
  }

  public ReportModel withLabels(String candidate, String baseline) {
    return new ReportModel(title, candidate, baseline, results, run, gate);
  }

  public Optional<RunInfo> runInfo() {
    return Optional.ofNullable(run);
  }

  public Optional<GateVerdict> gateVerdict() {
    return Optional.ofNullable(gate);
  }
}
