package fineflow.workers.stage;

import fineflow.activities.stages.StageInputException;
import fineflow.activities.stages.StageOutputException;
import fineflow.activities.stages.TerminationMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * {@code --result-file}, shared by the {@code stage} subcommands: where the stage result goes
 * (the container termination message in a pod), and the mapping of stage failures to the pod
 * exit codes the executor classifies (2 bad input, 4 output invalid).
 */
final class StageResultFile {
  /** The pod exit codes the executor's FailureClassifier reads (fineflow's own: 0, 2 and 4). */
  static final int OK = 0;
  static final int BAD_INPUT = 2;
  static final int OUTPUT_INVALID = 4;

  @Option(names = "--result-file", paramLabel = "FILE", defaultValue = "/dev/termination-log",
      description = "Where to write the stage result JSON (< 4 KiB). Default: ${DEFAULT-VALUE}.")
  Path resultFile;

  /** Runs the stage and reports its result or failure; returns the exit code. */
  int run(PrintWriter out, PrintWriter err, Supplier<TerminationMessage> stage) {
    try {
      TerminationMessage message = stage.get();
      write(err, message.toJson());
      out.println(message.toJson());
      return OK;
    } catch (StageInputException e) {
      return fail(err, e.getMessage(), e.problems(), BAD_INPUT);
    } catch (StageOutputException e) {
      return fail(err, e.getMessage(), e.problems(), OUTPUT_INVALID);
    }
  }

  private int fail(PrintWriter err, String message, List<String> problems, int exitCode) {
    err.println("fineflow: " + message);
    problems.forEach(p -> err.println("  " + p));
    write(err, TerminationMessage.failureJson(message, problems));
    return exitCode;
  }

  /** Outside a pod /dev/termination-log is usually not writable: say so, the result is on stdout. */
  private void write(PrintWriter err, String json) {
    try {
      Files.writeString(resultFile, json, StandardCharsets.UTF_8);
    } catch (IOException | SecurityException e) {
      err.println("fineflow: cannot write the result file " + resultFile + " (" + e.getMessage()
          + "); the result is printed on stdout");
    }
  }
}
