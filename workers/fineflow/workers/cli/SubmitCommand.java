package fineflow.workers.cli;

import fineflow.workflows.estimate.Preflight;
import fineflow.workflows.pipeline.PipelineRequest;
import fineflow.workflows.pipeline.RunId;
import fineflow.workflows.pipeline.RunProgress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fineflow submit SPEC}: validate, preflight, start the run. */
@Command(name = "submit",
    header = "Validate a spec and start a run of it.", mixinStandardHelpOptions = true,
    description = {"Validate a pipeline spec, check it fits the GPU, and start a run of it.",
        "Prints the run id (and a Temporal UI link with --ui-url or FINEFLOW_UI_URL)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:submitted (with --wait: the run succeeded)", "2:the spec has problems, the run id is malformed or already names a run",
        "3:the training does not fit the GPU", "4:(--wait) the run failed", "5:(--wait) the run paused",
        "6:Temporal unreachable"})
final class SubmitCommand implements Callable<Integer> {
  @Spec CommandSpec command;
  @Mixin TemporalOptions temporal;

  @Parameters(paramLabel = "SPEC", description = "Pipeline spec (YAML).")
  Path file;

  @Option(names = "--run-id", paramLabel = "ID",
      description = "Run id (also the workflow id). Default: <pipeline-name>-<8 hex>.")
  String runId;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "fineflow",
      description = "Kubernetes namespace when the spec names none (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--wait", description = "Follow the run (like `fineflow watch`) until it ends or pauses.")
  boolean waitForRun;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = command.commandLine().getOut();
    PrintWriter err = command.commandLine().getErr();
    if (runId != null) {
      try {
        RunId.requireValid(runId);
      } catch (IllegalArgumentException e) {
        err.println("fineflow: --run-id: " + e.getMessage());
        err.flush();
        return ExitCode.BAD_INPUT;
      }
    }
    SpecInput input = SpecInput.read(file);
    if (!input.ok()) {
      input.printProblems(err);
      err.flush();
      return ExitCode.BAD_INPUT;
    }
    input.printWarnings(err);
    Optional<String> tooBig = Preflight.check(input.spec());
    if (tooBig.isPresent()) {
      err.println(file + ": does not fit: " + tooBig.get());
      err.flush();
      return ExitCode.DOES_NOT_FIT;
    }
    try (ClientSession session = ClientSession.open(temporal)) {
      PipelineRequest request = session.runs().submit(input.spec(), runId, namespace);
      out.println("submitted " + request.runId() + " (" + request.plan().stages().size() + " stages, spec "
          + request.plan().specDigest().substring(0, 12) + ") to " + session.connection().target());
      String link = temporal.uiLink(request.runId());
      if (link != null) {
        out.println("Temporal UI: " + link);
      }
      out.println("follow it with: fineflow watch " + request.runId());
      out.flush();
      if (!waitForRun) {
        return ExitCode.OK;
      }
      RunProgress last = new RunWatcher(session.runs(), out, System.err, Duration.ofSeconds(1))
          .watch(request.runId());
      return RunWatcher.exitCode(last);
    }
  }
}
