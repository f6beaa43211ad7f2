package fineflow.workers.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

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
        CommandLine.HelpCommand.class,
        PlanCommand.class,
        LogsCommand.class,
        StageCommand.class,
        ValidateCommand.class,
        SchemaCommand.class,
        EstimateCommand.class,
        ReportCommand.class,
        ChatCommand.class,
        BenchOrchestratorCommand.class,
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:internal error (a bug: please report it with --verbose output)",
        "2:bad input: spec, patch, dataset or command-line errors",
        "3:the run cannot fit the GPU (memory preflight)",
        "4:the run failed or was aborted",
        "5:the run is paused and waits for resume or abort",
        "6:cannot reach Temporal or Kubernetes"})
public final class Main {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line; tests call {@code execute} on it to check exit codes. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(new ErrorHandler());
    // --output json, --method qlora: enum options are written in lower case.
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }
}
