package fineflow.activities.report;

import fineflow.activities.benchmark.BenchmarkSet;
import fineflow.workflows.gate.GateVerdict;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything a benchmark report shows.
 *
 * @param run the run's stages, durations, artifacts, spec digest and engine settings; null for a
 *     bare directory
 * @param gate the promotion gate's verdict; null when the spec sets no SLO
 * @param renderedAt the report's date when the run (and so the benchmark's date) is unknown
 */
public record ReportModel(
    String title, String candidateLabel, String baselineLabel, BenchmarkSet results, RunInfo run,
    GateVerdict gate, Instant renderedAt) {

  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
      .withZone(ZoneOffset.UTC);

  /** A report of benchmark results alone, labelled by what the tools recorded, dated now. */
  public static ReportModel of(String title, BenchmarkSet results) {
    String candidate = results.candidate().isEmpty() ? "candidate" : results.candidate().get(0).label();
    String baseline = results.baseline().isEmpty() ? "baseline" : results.baseline().get(0).label();
    return new ReportModel(title, "candidate: " + candidate, "baseline: " + baseline, results, null, null,
        Instant.now());
  }

  public ReportModel withRun(RunInfo info) {
    return new ReportModel(title, candidateLabel, baselineLabel, results, info, gate, renderedAt);
  }

  public ReportModel withGate(GateVerdict verdict) {
    return new ReportModel(title, candidateLabel, baselineLabel, results, run, verdict, renderedAt);
  }

  public ReportModel withLabels(String candidate, String baseline) {
    return new ReportModel(title, candidate, baseline, results, run, gate, renderedAt);
  }

  public ReportModel renderedAt(Instant at) {
    return new ReportModel(title, candidateLabel, baselineLabel, results, run, gate, at);
  }

  public Optional<RunInfo> runInfo() {
    return Optional.ofNullable(run);
  }

  public Optional<GateVerdict> gateVerdict() {
    return Optional.ofNullable(gate);
  }

  /**
   * The line under the title: model, run, engine settings and date, each where known. The date
   * is the benchmark's when the run is known, else the report's own (a directory has no date).
   */
  public String subtitle() {
    List<String> parts = new ArrayList<>();
    String model = run != null && run.model() != null ? run.model()
        : results.candidate().isEmpty() ? null : results.candidate().get(0).model();
    if (model != null) {
      parts.add("model " + model);
    }
    if (run != null) {
      parts.add("run " + run.runId());
      if (run.engine() != null) {
        parts.add("engine " + run.engine().describe());
      }
    }
    if (run != null && run.benchmarkedAt() != null) {
      parts.add("benchmarked " + DATE.format(run.benchmarkedAt()));
    } else if (renderedAt != null) {
      parts.add("rendered " + DATE.format(renderedAt));
    }
    return String.join(" · ", parts);
  }

  /** Stages whose numbers the dev stack's simulated node made up; empty for a real run. */
  public List<String> simulatedStages() {
    return run == null ? List.of() : run.simulatedStages();
  }

  /** The banner's sentence when any number in the report is simulated. */
  public Optional<String> simulatedBanner() {
    List<String> stages = simulatedStages();
    if (stages.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("Simulated: the results of " + String.join(", ", stages) + " come from the"
        + " embedded dev stack's simulated GPU node, not from a GPU"
        + (stages.contains("benchmark") ? "; the benchmark numbers below are made up, not measured." : "."));
  }
}
