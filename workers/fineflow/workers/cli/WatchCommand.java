package fineflow.workers.cli;

import fineflow.workflows.pipeline.RunProgress;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fineflow watch RUN}: live progress until the run ends or pauses. */
@Command(name = "watch",
    header = "Follow a run until it ends or pauses, with progress bars.", mixinStandardHelpOptions = true,
    description = {"Follow a run: a progress bar per running stage (training steps, epoch and loss",
        "from the pod's progress lines; on stderr, when stdout is a terminal), a line per finished",
        "stage, then the stage table."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the run succeeded", "2:no such run", "4:the run failed, was aborted or cancelled",
        "5:the run is paused (see the reason; fineflow resume or abort)", "6:Temporal unreachable"})
final class WatchCommand implements Callable<Integer> {
  @Spec CommandSpec command;
  @Mixin TemporalOptions temporal;

  @Parameters(paramLabel = "RUN", description = "Run id.")
  String runId;

  @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1",
      description = "Seconds between progress queries (default: ${DEFAULT-VALUE}).")
  double interval;

  @Override
  public Integer call() throws Exception {
    try (ClientSession session = ClientSession.open(temporal)) {
      RunProgress last = new RunWatcher(session.runs(), command.commandLine().getOut(),
          RunWatcher.barsOnTerminal(),
          Duration.ofMillis((long) (interval * 1000))).watch(runId);
      return RunWatcher.exitCode(last);
    }
  }
}
