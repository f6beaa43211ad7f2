package fineflow.workers.cli;

import fineflow.activities.spec.SpecFiles;
import fineflow.workflows.pipeline.ResumeRequest;
import fineflow.workflows.plan.PlanDiff;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fineflow resume RUN --set path=value}: patch a paused run's spec and let it go on. */
@Command(name = "resume",
    header = "Resume a paused run, optionally with a patched spec.", mixinStandardHelpOptions = true,
    description = {"Resume a paused run, optionally with a changed spec. The run re-validates the",
        "patched spec before accepting it (a bad patch changes nothing) and re-runs only the stages",
        "whose cache keys changed: training is not redone after an engine-build failure.",
        "With no --set and no --spec, the paused stage runs again unchanged. A run paused by its",
        "promotion gate can instead be accepted as it is with --accept."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:resumed; the plan diff is printed", "2:the patch was rejected (every problem is listed),"
        + " the run is not paused or has ended, the --spec file is unreadable, or no such run", "6:Temporal unreachable"})
final class ResumeCommand implements Callable<Integer> {
  @Spec CommandSpec command;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Parameters(paramLabel = "RUN", description = "Run id.")
  String runId;

  @ArgGroup(exclusive = true)
  Patch patch;

  static final class Patch {
    @Option(names = "--set", paramLabel = "PATH=VALUE",
        description = "Spec assignment, e.g. engine.maxBatchSize=8 (repeatable).")
    List<String> set;

    @Option(names = "--spec", paramLabel = "FILE", description = "A whole new spec (YAML).")
    Path spec;

    @Option(names = "--accept", description = "For a run paused by its promotion gate (SloNotMet):"
        + " promote the benchmarked candidate as it is.")
    boolean accept;
  }

  @Override
  public Integer call() throws Exception {
    ResumeRequest request = patch == null ? ResumeRequest.assignments(List.of())
        : patch.accept ? ResumeRequest.acceptingCandidate()
        : patch.spec != null ? ResumeRequest.spec(SpecFiles.read(patch.spec))
        : ResumeRequest.assignments(patch.set);
    PrintWriter out = command.commandLine().getOut();
    try (ClientSession session = ClientSession.open(temporal)) {
      PlanDiff diff = session.runs().resume(runId, request);
      if (output.json()) {
        out.println(JsonOutput.write(diff));
      } else {
        out.println("resumed " + runId);
        out.print(PlanDiffText.render(diff));
      }
      out.flush();
      return ExitCode.OK;
    }
  }
}
