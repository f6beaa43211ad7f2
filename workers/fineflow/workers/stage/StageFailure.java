package fineflow.workers.stage;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * A stage program's unexpected error (a bug or an I/O failure), printed as {@code fineflow}'s
 * error handler prints it (one line, the stack trace only with --verbose or FINEFLOW_VERBOSE) and exit 1:
 * the pod log and the termination message read the same in-process as in the image.
 */
final class StageFailure implements IExecutionExceptionHandler {
  private static final int INTERNAL = 1;

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
    cmd.getErr().println("fineflow: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
    if (verbose(parsed) || System.getenv("FINEFLOW_VERBOSE") != null) {
      ex.printStackTrace(cmd.getErr());
    } else {
      cmd.getErr().println("(run it again with --verbose for the stack trace)");
    }
    cmd.getErr().flush();
    return INTERNAL;
  }

  private static boolean verbose(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }
}
