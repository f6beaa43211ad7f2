package fineflow.workers.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import fineflow.workflows.format.Json;
import fineflow.workers.bench.BenchResult;
import fineflow.workers.bench.BenchSettings;
import fineflow.workers.bench.OrchestratorBench;
import fineflow.workers.worker.AwaitMode;
import fineflow.workers.worker.WorkerTuning;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import fineflow.workflows.spec.SpecPatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fineflow bench-orchestrator}: what orchestration costs, on the embedded dev stack. */
@Command(
    name = "bench-orchestrator",
    header = "Measure orchestration cost: N full pipelines on the dev stack, GPU stages simulated.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Run N pipelines of the full 8-stage demo plan (benchmark baseline removed, a dataset seed",
        "per pipeline so nothing is cached) on the dev stack (--engines), GPU stages simulated, and",
        "measure the orchestration: stage transitions, history size, threads, heap, Kubernetes",
        "API requests. Then, on the same engines, the floors: N chains of 8 no-op Temporal",
        "activities, and N chains of 8 bare Jobs; fineflow's transition is printed as a ratio of",
        "each and of their sum. docs/performance.md explains each figure.",
        ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every pipeline and every floor chain completed",
        "2:bad options",
        "4:some pipeline or floor chain failed or did not finish in time"})
final class BenchOrchestratorCommand implements Callable<Integer> {
  static final String DEMO_SPEC = "/configs/demo.yaml";

  /** Which await design(s) to measure. */
  enum Await { async, poll, both }

  @Spec
  CommandSpec command;

  @Option(names = "--pipelines", paramLabel = "N", defaultValue = "100",
      description = "Pipelines to run (default: ${DEFAULT-VALUE}).")
  int pipelines;

  @Option(names = "--concurrency", paramLabel = "C", defaultValue = "100",
      description = "At most this many in flight (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--stage-seconds", paramLabel = "S", defaultValue = "0",
      description = "Duration of every simulated stage (default: ${DEFAULT-VALUE}).")
  double stageSeconds;

  @Option(names = "--await", paramLabel = "async|poll|both", defaultValue = "async",
      description = "Await design: informer-completed activity, retried poll, or both in turn (default: ${DEFAULT-VALUE}).")
  Await await;

  @Option(names = "--timeout-minutes", paramLabel = "M", defaultValue = "30",
      description = "Give up on unfinished pipelines after this long, per await design (default: ${DEFAULT-VALUE}).")
  long timeoutMinutes;

  @Option(names = "--engines", paramLabel = "real|embedded|auto", defaultValue = "auto",
      description = "Run on the real engines (scripts/install-engines), the embedded ones, or auto: real when"
          + " installed (default: ${DEFAULT-VALUE}).")
  fineflow.workers.dev.EngineChoice engines;

  @Mixin
  OutputOptions output;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = command.commandLine().getOut();
    if (pipelines < 1 || concurrency < 1 || stageSeconds < 0 || timeoutMinutes < 1) {
      command.commandLine().getErr().println(
          "fineflow bench-orchestrator: --pipelines, --concurrency, --timeout-minutes must be ≥ 1 and --stage-seconds ≥ 0");
      return ExitCode.BAD_INPUT;
    }
    PipelineSpec spec = SpecPatch.apply(SpecLoader.load(demoYaml(), "configs/demo.yaml"),
        List.of("benchmark.baseline=null"));
    OrchestratorBench bench = new OrchestratorBench(spec, Duration.ofMinutes(timeoutMinutes));
    List<AwaitMode> modes = await == Await.both ? List.of(AwaitMode.async, AwaitMode.poll)
        : List.of(AwaitMode.valueOf(await.name()));
    Map<AwaitMode, OrchestratorBench.Run> runs = new LinkedHashMap<>();
    for (AwaitMode mode : modes) {
      Path workspace = Files.createTempDirectory("fineflow-bench-");
      try {
        runs.put(mode, bench.run(new BenchSettings(pipelines, concurrency,
            Duration.ofMillis(Math.round(stageSeconds * 1000)), mode, WorkerTuning.defaults(),
            workspace.resolve("workspace"), engines)));
      } finally {
        deleteTree(workspace);
      }
    }
    runs.forEach((mode, r) -> {
      if (r.firstUnfinished() != null) {
        command.commandLine().getErr().println(mode + ": first pipeline that did not complete: " + r.firstUnfinished());
      }
    });
    if (output.json()) {
      ObjectMapper json = Json.pretty();
      Object body;
      if (runs.size() == 1) {
        body = runs.values().iterator().next().result();
      } else {
        Map<String, BenchResult> byMode = new LinkedHashMap<>();
        runs.forEach((m, r) -> byMode.put(m.name(), r.result()));
        body = byMode;
      }
      out.println(json.writeValueAsString(body));
    } else {
      printTable(out, runs);
    }
    out.flush();
    runs.forEach((mode, r) -> {
      if (r.floorChainsComplete() < r.floorChains()) {
        command.commandLine().getErr().println(mode + ": only " + r.floorChainsComplete() + " of " + r.floorChains()
            + " floor chains completed on both engines; the ratios to the floors are not meaningful");
      }
    });
    boolean allDone = runs.values().stream()
        .allMatch(r -> r.result().completed() == pipelines && r.floorChainsComplete() == r.floorChains());
    return allDone ? ExitCode.OK : ExitCode.RUN_FAILED;
  }

  private void printTable(PrintWriter out, Map<AwaitMode, OrchestratorBench.Run> runs) {
    out.println("engines: " + runs.values().iterator().next().result().engines());
    out.printf(Locale.ROOT, "%d pipelines × 8 stages, at most %d in flight, stages of %s s, %d cores%n",
        pipelines, concurrency, stageSeconds, Runtime.getRuntime().availableProcessors());
    List<String[]> rows = new ArrayList<>();
    rows.add(header(runs));
    rows.add(row(runs, "completed", r -> r.result().completed() + " / " + r.result().pipelines()
        + (r.failed() > 0 ? " (" + r.failed() + " failed)" : "")));
    rows.add(row(runs, "wall time (s)", r -> fmt(r.result().wallSeconds())));
    rows.add(row(runs, "pipelines / minute", r -> fmt(r.result().pipelinesPerMinute())));
    rows.add(row(runs, "stage transition p50 / p99 / max (ms)", r -> fmt(r.result().stageTransitionMs().p50())
        + " / " + fmt(r.result().stageTransitionMs().p99()) + " / " + fmt(r.result().stageTransitionMs().max())));
    rows.add(row(runs, "Temporal floor p50 / p99 (ms)", r -> fmt(r.result().floorTemporalMs().p50())
        + " / " + fmt(r.result().floorTemporalMs().p99())));
    rows.add(row(runs, "Kubernetes floor p50 / p99 (ms)", r -> fmt(r.result().floorKubernetesMs().p50())
        + " / " + fmt(r.result().floorKubernetesMs().p99())));
    rows.add(row(runs, "transition p50 / Temporal floor p50", r -> ratio(r.result().stageTransitionMs().p50(),
        r.result().floorTemporalMs().p50())));
    rows.add(row(runs, "transition p50 / Kubernetes floor p50", r -> ratio(r.result().stageTransitionMs().p50(),
        r.result().floorKubernetesMs().p50())));
    rows.add(row(runs, "transition p50 / sum of floor p50s", r -> ratio(r.result().stageTransitionMs().p50(),
        r.result().floorTemporalMs().p50() + r.result().floorKubernetesMs().p50())));
    rows.add(row(runs, "transition p99 / sum of floor p99s", r -> ratio(r.result().stageTransitionMs().p99(),
        r.result().floorTemporalMs().p99() + r.result().floorKubernetesMs().p99())));
    rows.add(row(runs, "history events per run avg / max", r -> fmt(r.result().historyEventsPerRun().avg())
        + " / " + r.result().historyEventsPerRun().max()));
    rows.add(row(runs, "worker threads peak (over baseline)", r -> r.result().workerThreadsPeak()
        + " (JVM " + r.jvmThreadsPeak() + ", baseline " + r.baselineThreads() + ")"));
    rows.add(row(runs, "heap peak (MiB)", r -> fmt(r.result().heapPeakMiB())));
    rows.add(row(runs, "Kubernetes API requests / stage", r -> fmt(r.result().kubeApiRequestsPerStage())
        + " (floor " + fmt(r.result().floorKubeApiRequestsPerStage()) + ")"));
    int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder(String.format("%-" + width + "s", r[0]));
      for (int i = 1; i < r.length; i++) {
        line.append("  ").append(String.format("%-34s", r[i]));
      }
      out.println(line.toString().stripTrailing());
    }
    runs.forEach((mode, r) -> out.println(mode + " API requests: " + r.apiRequests()));
    runs.forEach((mode, r) -> out.println(mode + " floor API requests: " + r.floorApiRequests()));
    runs.forEach((mode, r) -> out.println(mode + " threads at peak: " + top(r.threadsAtPeak())));
  }

  private static String top(Map<String, Integer> groups) {
    return groups.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(12).map(e -> e.getKey() + "=" + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("");
  }

  private static String[] header(Map<AwaitMode, OrchestratorBench.Run> runs) {
    List<String> h = new ArrayList<>(List.of("await"));
    runs.keySet().forEach(m -> h.add(m.name()));
    return h.toArray(String[]::new);
  }

  private static String[] row(Map<AwaitMode, OrchestratorBench.Run> runs, String name,
      java.util.function.Function<OrchestratorBench.Run, String> cell) {
    List<String> r = new ArrayList<>(List.of(name));
    runs.values().forEach(run -> r.add(cell.apply(run)));
    return r.toArray(String[]::new);
  }

  /** "3.7×", or "-" when there is no floor to divide by. */
  private static String ratio(double value, double floor) {
    return floor <= 0 ? "-" : fmt(Math.round(value / floor * 10) / 10.0) + "×";
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String demoYaml() {
    try (InputStream in = BenchOrchestratorCommand.class.getResourceAsStream(DEMO_SPEC)) {
      if (in != null) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      return Files.readString(Path.of("configs/demo.yaml"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the demo spec configs/demo.yaml", e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
