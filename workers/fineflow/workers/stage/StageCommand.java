package fineflow.workers.stage;

import fineflow.workers.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ScopeType;

/**
 * {@code fineflow stage NAME}: the data-moving stages that run inside the fineflow image's pods.
 * A new stage is one more class in {@code subcommands}. Its own package, so that both the
 * {@code fineflow} command and the dev node (which runs these programs in-process) use it.
 */
@Command(
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the stage's outputs are written and its result printed",
        "2:bad arguments or invalid input (the problems are listed)",
        "4:the stage's outputs failed their checks"},
    name = "stage",
    header = "Run one pipeline stage in this process (what a stage pod runs).",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Run one pipeline stage in this process (what a stage pod runs).",
    subcommands = {
        DatasetPrepCommand.class,
        TritonRepoCommand.class,
        StageBenchmarkCommand.class,
    })
public final class StageCommand {
  private static final int HELP_WIDTH = 100;

  /**
   * The image's {@code fineflow} program as far as its pods use it (the {@code stage}
   * subcommand, the help options and the inherited {@code --verbose}), for the dev node that
   * runs a fineflow-image container in this JVM: a container's argv parses, prints and fails
   * here as under the image's entrypoint. {@code fineflow}'s Main adds this class as its own
   * {@code stage} subcommand.
   */
  public static CommandLine program() {
    CommandSpec root = CommandSpec.create().name("fineflow").mixinStandardHelpOptions(true)
        .addOption(OptionSpec.builder("--verbose").type(boolean.class).arity("0").scopeType(ScopeType.INHERIT)
            .description("On an error, print the stack trace too (also: FINEFLOW_VERBOSE=1).").build());
    root.versionProvider(new VersionProvider());
    CommandLine cl = new CommandLine(root);
    cl.addSubcommand(new StageCommand());
    cl.setExecutionExceptionHandler(new StageFailure());
    cl.setUsageHelpWidth(HELP_WIDTH);
    return cl;
  }
}
