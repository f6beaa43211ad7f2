package fineflow.workers.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fineflow cancel RUN}: cancel a run; its objects are deleted, no GPU pod is left behind. */
@Command(name = "cancel",
    header = "Cancel a run and delete its Jobs and Deployments.", mixinStandardHelpOptions = true,
    description = {"Cancel a run (running or paused). The workflow deletes the run's Jobs and",
        "Deployments before it ends, and marks the running stage cancelled."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:cancellation requested", "2:the run has already ended, or no such run", "6:Temporal unreachable"})
final class CancelCommand implements Callable<Integer> {
  @Spec CommandSpec command;
  @Mixin TemporalOptions temporal;

  @Parameters(paramLabel = "RUN", description = "Run id.")
  String runId;

  @Override
  public Integer call() {
    try (ClientSession session = ClientSession.open(temporal)) {
      session.runs().cancel(runId);
      command.commandLine().getOut().println("cancellation requested for " + runId
          + "; `fineflow watch " + runId + "` shows the cleanup");
      command.commandLine().getOut().flush();
      return ExitCode.OK;
    }
  }
}
