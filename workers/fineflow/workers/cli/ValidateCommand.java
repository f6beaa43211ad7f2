package fineflow.workers.cli;

import fineflow.workflows.estimate.Preflight;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fineflow validate SPEC...}: every problem of every file, before anything runs. */
@Command(name = "validate",
    header = "Check pipeline specs: every problem with its line, then the memory preflight.", mixinStandardHelpOptions = true,
    description = {"Check pipeline specs: unknown keys, types, the consistency rules of training,",
        "engine, serving and benchmark, and whether the training fits cluster.gpuMemoryGib.",
        "Problems go to stderr as FILE:LINE:COL: path: message."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every spec is valid", "2:a spec has problems (all are listed)",
        "3:a valid spec's training does not fit its GPU (memory preflight)"})
final class ValidateCommand implements Callable<Integer> {
  @Spec
  CommandSpec command;

  @Parameters(arity = "1..*", paramLabel = "SPEC", description = "Pipeline spec files (YAML).")
  List<Path> files;

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    PrintWriter err = command.commandLine().getErr();
    boolean badInput = false;
    boolean doesNotFit = false;
    for (Path file : files) {
      SpecInput input = SpecInput.read(file);
      if (!input.ok()) {
        input.printProblems(err);
        badInput = true;
        continue;
      }
      input.printWarnings(err);
      Optional<String> tooBig = preflight(input);
      if (tooBig.isPresent()) {
        err.println(file + ": does not fit: " + tooBig.get());
        doesNotFit = true;
        continue;
      }
      out.printf("ok: %s (pipeline %s, %d stages)%n", file, input.spec().metadata().name(),
          input.plan().stages().size());
    }
    out.flush();
    err.flush();
    return badInput ? ExitCode.BAD_INPUT : doesNotFit ? ExitCode.DOES_NOT_FIT : ExitCode.OK;
  }

  /** Why the spec's training cannot fit one GPU of cluster.gpuMemoryGib, if it cannot. */
  private static Optional<String> preflight(SpecInput input) {
    return Preflight.check(input.spec());
  }
}
