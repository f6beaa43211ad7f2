package fineflow.workers.cli;

import fineflow.workflows.pipeline.RunProgress;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fineflow status RUN}: the stage table now. */
@Command(name = "status",
    header = "Print a run's stage table.", mixinStandardHelpOptions = true,
    description = "Print a run's stage table (state, launches, durations, artifacts, last error).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:printed", "2:no such run", "6:Temporal unreachable"})
final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec command;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Parameters(paramLabel = "RUN", description = "Run id.")
  String runId;

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    try (ClientSession session = ClientSession.open(temporal)) {
      RunProgress p = session.runs().progress(runId);
      out.print(output.json() ? JsonOutput.write(p) + "\n" : ProgressTable.render(p));
      out.flush();
      return ExitCode.OK;
    }
  }
}
