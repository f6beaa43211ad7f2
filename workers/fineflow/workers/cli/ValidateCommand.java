package fineflow.workers.cli;

import fineflow.workflows.plan.Planner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fineflow validate SPEC...}: every problem of every file, before anything runs. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = {"Check pipeline specs: unknown keys, types, and the consistency rules of",
        "training, engine, serving and benchmark. Problems go to stderr as FILE:LINE:COL: path: message."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every spec is valid", "2:a spec has problems (all are listed)"})
final class ValidateCommand implements Callable<Integer> {
  @Spec
  CommandSpec command;

  @Parameters(arity = "1..*", paramLabel = "SPEC", description = "Pipeline spec files (YAML).")
  List<Path> files;

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    PrintWriter err = command.commandLine().getErr();
    boolean allOk = true;
    for (Path file : files) {
      SpecInput input = SpecInput.read(file);
      if (input.ok()) {
        input.printWarnings(err);
        out.printf("ok: %s (pipeline %s, %d stages)%n", file, input.spec().metadata().name(),
            Planner.plan(input.spec()).stages().size());
      } else {
        input.printProblems(err);
        allOk = false;
      }
    }
    out.flush();
    err.flush();
    return allOk ? ExitCode.OK : ExitCode.BAD_INPUT;
  }
}
