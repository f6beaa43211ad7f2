package fineflow.workers.cli;

import fineflow.workers.client.RunAudit;
import fineflow.workers.client.RunClient;
import fineflow.workers.dev.DevEndpoints;
import fineflow.workers.dev.DevOptions;
import fineflow.workers.dev.DevEngines;
import fineflow.workers.dev.DevStack;
import fineflow.workers.dev.EngineChoice;
import fineflow.workflows.contract.Artifact;
import fineflow.workflows.pipeline.PipelineRequest;
import fineflow.workflows.pipeline.ResumeRequest;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.pipeline.RunState;
import fineflow.workflows.pipeline.StageStatus;
import fineflow.workflows.plan.PlanDiff;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.PipelineSpec;
import fineflow.workflows.spec.SpecLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fineflow demo}: the whole pipeline on the embedded stack, in one command. */
@Command(name = "demo",
    header = "Run the whole pipeline on the dev stack, in one command.", mixinStandardHelpOptions = true,
    description = {"Start the dev stack (--engines: the real Temporal server with its Web UI when",
        "installed, else the embedded one), submit configs/demo.yaml, and follow the run to the",
        "end: dataset prep and the Triton repository run for real, GPU stages are simulated. With",
        "--fail-stage engine-build the engine build fails, the run pauses, and the demo resumes it",
        "through the real resume path with engine.maxBatchSize=8: training is not run again.",
        "Ends with the path of the benchmark report, copied out of the demo's temporary workspace",
        "(removed at exit, with the stack) unless --workspace names one."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the run succeeded", "2:bad option (--speed, --fail-stage)", "4:the run failed",
        "5:the run paused and could not be resumed"})
final class DemoCommand implements Callable<Integer> {
  static final String DEMO_SPEC = "/configs/demo.yaml";
  static final List<String> DEMO_PATCH = List.of("engine.maxBatchSize=8");
  static final int DEMO_GPUS = 2;

  @Spec CommandSpec command;

  @Option(names = "--fail-stage", paramLabel = "STAGE",
      description = "Make this stage fail once, to show the pause and the resume (e.g. engine-build).")
  String failStage;

  @Option(names = "--speed", defaultValue = "100",
      description = "Simulated GPU stages run this many times faster than the manual run's"
          + " in docs/manual-procedure.md (default: ${DEFAULT-VALUE}).")
  double speed;

  @Option(names = "--workspace", description = "Local workspace directory (default: a new temporary one).")
  Path workspace;

  @Option(names = "--engines", defaultValue = "auto",
      description = "Run on the real engines (scripts/install-engines), the embedded ones, or auto: real when"
          + " installed (${COMPLETION-CANDIDATES}; default: ${DEFAULT-VALUE}).")
  EngineChoice engines;

  @Option(names = "--report-dir", paramLabel = "DIR",
      description = "Where the benchmark report is kept when the demo's temporary workspace is removed"
          + " (default: $FINEFLOW_HOME/demo, i.e. ~/.fineflow/demo).")
  Path reportDir;

  @Override
  public Integer call() throws Exception {
    CommandLine cl = command.commandLine();
    StackFlags.speed(cl, speed);
    StackFlags.failStage(cl, failStage, 1);
    PrintWriter out = cl.getOut();
    if (workspace != null) {
      return run(out, workspace, false);
    }
    // A workspace of its own, removed at exit with the stack's other files beside it (pod mounts,
    // the Triton skeleton, the real Temporal server's database); the report is copied out first.
    try (TemporaryDirectory temporary = TemporaryDirectory.create("fineflow-demo-")) {
      return run(out, temporary.path().resolve("workspace"), true);
    }
  }

  private int run(PrintWriter out, Path ws, boolean temporary) throws Exception {
    PipelineSpec spec = SpecLoader.load(demoSpec(), "configs/demo.yaml");
    DevEngines chosen = DevEngines.resolve(engines);
    out.println("Running on the " + chosen.describe() + ".");
    out.println("Workspace: " + ws.toAbsolutePath() + (temporary ? " (temporary: removed when the demo exits)" : ""));
    out.println("Starting the dev stack (Temporal, Kubernetes API, worker, simulated GPU node) ...");
    out.flush();
    // Two GPUs on real Kubernetes: the demo serves its Triton engine and the vLLM baseline at once.
    try (DevStack stack = DevStack.start(new DevOptions(0, 0, ws, speed, null, failStage, 1,
        DevOptions.DEFAULT_NAMESPACE, null, engines, DEMO_GPUS))) {
      stack.temporal().uiUrl().ifPresent(ui -> out.println("Temporal UI: " + ui));
      RunClient runs = new RunClient(stack.connection());
      PipelineRequest request = runs.submit(spec, null, DevOptions.DEFAULT_NAMESPACE);
      out.printf("Submitted run %s: %d stages of configs/demo.yaml (Temporal at %s)%n%n", request.runId(),
          request.plan().stages().size(), stack.endpoints().temporal());
      out.flush();
      RunWatcher watcher = new RunWatcher(runs, out, RunWatcher.barsOnTerminal(), Duration.ofMillis(500));
      RunProgress last = watcher.watch(request.runId());
      if (last.runState() == RunState.PAUSED) {
        boolean injected = last.pausedStage() != null && last.pausedStage().id().equals(failStage);
        out.printf("%nThe run paused at %s%s, e.g.:%n"
            + "  fineflow resume %s --set %s%nThe demo does that, through the same update:%n",
            last.pausedStage(), injected
                ? ", where --fail-stage injected a failure. After a real failure a user would fix its cause and resume"
                : ". A user would fix the cause and resume it",
            request.runId(), String.join(" --set ", DEMO_PATCH));
        PlanDiff diff = runs.resume(request.runId(), ResumeRequest.assignments(DEMO_PATCH));
        out.print(PlanDiffText.render(diff));
        out.println();
        out.flush();
        last = watcher.watch(request.runId());
      }
      if (last.runState() != RunState.SUCCEEDED) {
        return RunWatcher.exitCode(last);
      }
      RunAudit audit = RunAudit.of(runs, request.runId());
      out.println();
      audit.stages().stream().filter(s -> s.name().equals(StageName.TRAIN.id())).findFirst().ifPresent(s ->
          out.printf("Training ran %s over %s.%n", count(s.launches(), "time"),
              count(audit.specRevision(), "spec revision")));
      // The stack, and with it the run's history, ends with the demo: `show` would find nothing.
      out.printf("History: %d events. The demo's stack stops when it exits; to audit runs with"
          + " `fineflow show RUN`, submit them to `fineflow dev`.%n", audit.events().total());
      stack.temporal().uiUrl().ifPresent(ui -> out.println("In the Temporal UI (until the demo exits): " + ui));
      Optional<Path> report = report(last, ws);
      if (report.isPresent() && temporary) {
        report = Optional.of(keep(report.get(), reportRoot().resolve(request.runId())));
      }
      report.ifPresent(p -> out.println("Benchmark report (simulated numbers): " + p));
      out.flush();
      return ExitCode.OK;
    }
  }

  /** "1 time", "2 times". */
  static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private Path reportRoot() {
    return reportDir != null ? reportDir : DevEndpoints.file().resolveSibling("demo");
  }

  /** Copies the report's own files (HTML, Markdown, summary) out of the workspace that goes away. */
  private static Path keep(Path html, Path dir) throws IOException {
    Files.createDirectories(dir);
    try (Stream<Path> files = Files.list(html.getParent())) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, dir.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return dir.resolve(html.getFileName().toString()).toAbsolutePath();
  }

  /** The local path of the benchmark stage's HTML report. */
  static Optional<Path> report(RunProgress progress, Path workspace) {
    return progress.stage(StageName.BENCHMARK).map(s -> s.result().artifacts()).orElse(List.of()).stream()
        .filter(a -> a.name().equals("benchmark-report")).map(Artifact::path).findFirst()
        .map(p -> workspace.resolve(p.replaceFirst("^/workspace/", "")).toAbsolutePath());
  }

  private static String demoSpec() {
    try (InputStream in = DemoCommand.class.getResourceAsStream(DEMO_SPEC)) {
      if (in == null) {
        throw new IllegalStateException(DEMO_SPEC + " is missing from the fineflow jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
