package fineflow.workers.cli;

import fineflow.workers.VersionProvider;
import fineflow.workers.stage.StageCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code fineflow} command: every user action goes through one of its subcommands. */
@Command(
    name = "fineflow",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Durable fine-tune → TensorRT-LLM engine → Triton → benchmark pipelines,",
        "orchestrated by Temporal, run as Kubernetes Jobs.",
        ""},
    subcommands = {
        // Try it: the embedded stack.
        DemoCommand.class,
        DevCommand.class,
        // Before a run: offline checks.
        ValidateCommand.class,
        PlanCommand.class,
        EstimateCommand.class,
        SchemaCommand.class,
        // Runs: submit, follow, fix, audit.
        SubmitCommand.class,
        WatchCommand.class,
        StatusCommand.class,
        ResumeCommand.class,
        AbortCommand.class,
        CancelCommand.class,
        HistoryCommand.class,
        ShowCommand.class,
        LogsCommand.class,
        ReportCommand.class,
        ChatCommand.class,
        // Processes and pod programs.
        WorkerCommand.class,
        StageCommand.class,
        BenchOrchestratorCommand.class,
        CommandLine.HelpCommand.class,
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:internal error (a bug: please report it with the --verbose output)",
        "2:bad input: spec, patch, dataset or command-line errors",
        "3:the run cannot fit the GPU (memory preflight)",
        "4:the run failed or was aborted",
        "5:the run is paused and waits for resume or abort",
        "6:cannot reach Temporal or Kubernetes",
        "7:fineflow worker: the cluster lacks fineflow's search attributes (the commands that add them are printed)"},
    footerHeading = "%n",
    footer = "Every command has --help. More in README.md and docs/.")
public final class Main {
  static final int HELP_WIDTH = 100;

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "On an error, print the stack trace too (also: FINEFLOW_VERBOSE=1).")
  boolean verbose;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line; tests call {@code execute} on it to check exit codes. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(new ErrorHandler());
    // --output json, --method qlora: enum options are written in lower case.
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    // Picocli wraps at "." and ":" inside words ("dev." / "json", "http:" / "//"): give the text
    // room (the terminal's width where known, else 100 columns) so no line needs wrapping.
    cl.setUsageHelpWidth(HELP_WIDTH);
    cl.setUsageHelpAutoWidth(true);
    return cl;
  }
}
