package fineflow.workers.cli;

import fineflow.workflows.contract.CleanupResult;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fineflow abort RUN --reason ...}: end a paused run as failed. */
@Command(name = "abort",
    header = "End a paused run as failed, with a reason.", mixinStandardHelpOptions = true,
    description = {"End a paused run as failed with a reason, after deleting its Jobs, Deployments",
        "and Services. Cached results stay, so a later run can reuse them."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:aborted", "2:the run is not paused, has ended, or no such run", "6:Temporal unreachable"})
final class AbortCommand implements Callable<Integer> {
  @Spec CommandSpec command;
  @Mixin TemporalOptions temporal;

  @Parameters(paramLabel = "RUN", description = "Run id.")
  String runId;

  @Option(names = "--reason", required = true, description = "Why (kept in the run's history).")
  String reason;

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    if (reason.isBlank()) {
      throw new ParameterException(command.commandLine(), "--reason must say why (it is kept in the run's history)");
    }
    try (ClientSession session = ClientSession.open(temporal)) {
      CleanupResult deleted = session.runs().abort(runId, reason);
      out.println("aborted " + runId + ": " + reason + " (deleted " + deleted.deleted().size() + " objects"
          + (deleted.deleted().isEmpty() ? "" : ": " + String.join(", ", deleted.deleted())) + ")");
      out.flush();
      return ExitCode.OK;
    }
  }
}
