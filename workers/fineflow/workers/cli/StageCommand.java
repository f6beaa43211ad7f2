package fineflow.workers.cli;

import picocli.CommandLine.Command;

/**
 * {@code fineflow stage NAME}: the data-moving stages that run inside the fineflow image's pods.
 * A new stage is one more class in {@code subcommands}.
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
final class StageCommand {
}
