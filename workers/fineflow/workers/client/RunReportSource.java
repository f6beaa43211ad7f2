package fineflow.workers.client;

import fineflow.activities.report.EngineSettings;
import fineflow.activities.report.RunInfo;
import fineflow.activities.report.StageRow;
import fineflow.workflows.contract.Artifact;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.pipeline.StageState;
import fineflow.workflows.pipeline.StageStatus;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.PipelineSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What {@code fineflow report RUN} renders: the run's stage table as {@link RunInfo}, and the
 * local folder of its benchmark stage's results. The benchmark writes them on the workspace
 * volume ({@code /workspace/...} in the pod); the report reads them through a local mount
 * of that volume (the dev stack's workspace folder, or {@code --workspace}).
 *
 * @param benchmarkDir the folder holding the benchmark's {@code summary.json} and tool exports
 */
public record RunReportSource(RunInfo info, Path benchmarkDir) {
  /** The artifact the benchmark stage reports for its {@code summary.json}. */
  public static final String SUMMARY_ARTIFACT = "benchmark-summary";
  static final String POD_WORKSPACE = "/workspace";

  /**
   * @param spec the run's current spec ({@link CurrentSpec}), for its engine settings; null when
   *     it could not be read back
   * @param workspace where the workspace volume is mounted on this machine, or null when unknown
   * @throws IllegalArgumentException with what is missing and what to do about it
   */
  public static RunReportSource of(RunProgress progress, PipelineSpec spec, Path workspace) {
    StageStatus benchmark = progress.stage(StageName.BENCHMARK)
        .filter(row -> row.state() != StageState.SKIPPED)
        .orElseThrow(() -> new IllegalArgumentException("run " + progress.runId()
            + " has no benchmark stage (benchmark.enabled is false in its spec): nothing to report"));
    if (benchmark.state() != StageState.SUCCEEDED && benchmark.state() != StageState.CACHED
        && !(benchmark.state() == StageState.PAUSED && !benchmark.result().artifacts().isEmpty())) {
      throw new IllegalArgumentException("the benchmark stage of run " + progress.runId() + " is "
          + benchmark.state().id() + ", not finished: no results to report yet");
    }
    Artifact summary = benchmark.result().artifacts().stream()
        .filter(a -> a.name().equals(SUMMARY_ARTIFACT)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("the benchmark stage of run "
            + progress.runId() + " reported no " + SUMMARY_ARTIFACT + " artifact (it has "
            + benchmark.result().artifacts().stream().map(Artifact::name).toList() + ")"));
    if (workspace == null) {
      throw new IllegalArgumentException("the benchmark results of run " + progress.runId()
          + " are at " + summary.path() + " on the workspace volume; pass --workspace DIR where"
          + " that volume is mounted here (or copy the folder out and run `fineflow report DIR`)");
    }
    Path dir = local(summary.path(), workspace).getParent();
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("the benchmark results of run " + progress.runId()
          + " should be in " + dir + " (" + summary.path() + " on the workspace volume), which"
          + " does not exist: is " + workspace + " the workspace volume?");
    }
    return new RunReportSource(info(progress, spec), dir);
  }

  /** {@code /workspace/cache/x/summary.json} under the local mount of the workspace volume. */
  static Path local(String podPath, Path workspace) {
    if (!podPath.equals(POD_WORKSPACE) && !podPath.startsWith(POD_WORKSPACE + "/")) {
      throw new IllegalArgumentException("artifact " + podPath + " is not on the workspace volume ("
          + POD_WORKSPACE + ")");
    }
    String relative = podPath.substring(POD_WORKSPACE.length()).replaceFirst("^/+", "");
    Path local = workspace.resolve(relative).normalize();
    if (!local.startsWith(workspace.normalize())) {
      throw new IllegalArgumentException("artifact " + podPath + " leaves the workspace volume");
    }
    return local;
  }

  /** The rows the report lists: every stage the plan has, in pipeline order. */
  static RunInfo info(RunProgress progress, PipelineSpec spec) {
    List<StageRow> rows = progress.stages().stream()
        .filter(row -> row.state() != StageState.SKIPPED)
        .map(row -> {
          Duration elapsed = row.elapsed();
          return new StageRow(row.stage().id(), row.state().id(),
              elapsed == null ? null : elapsed.toSeconds(), row.result().artifacts(), row.result().simulated());
        })
        .toList();
    Instant benchmarked = progress.stage(StageName.BENCHMARK).map(s -> s.launch().finishedAt()).orElse(null);
    return new RunInfo(progress.runId(), progress.pipeline(), progress.specDigest(), progress.model(),
        spec == null ? null : EngineSettings.of(spec), benchmarked, rows);
  }
}
