package fineflow.workers.cli;

import fineflow.workflows.spec.SpecSchema;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code fineflow schema}: the JSON Schema of pipeline specs, for editors and CI linters. */
@Command(name = "schema",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:the schema is printed"},
    header = "Print the JSON Schema of pipeline specs.", mixinStandardHelpOptions = true,
    description = {"Print the JSON Schema (draft 2020-12) of pipeline specs, generated from the",
        "spec records. Point your editor's YAML language server at it."})
final class SchemaCommand implements Callable<Integer> {
  @Spec
  CommandSpec command;

  @Override
  public Integer call() {
    command.commandLine().getOut().println(SpecSchema.generate());
    command.commandLine().getOut().flush();
    return ExitCode.OK;
  }
}
