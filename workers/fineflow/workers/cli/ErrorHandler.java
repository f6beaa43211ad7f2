package fineflow.workers.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** One clear line on stderr for an unexpected error; the stack trace only with --verbose. */
final class ErrorHandler implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
    cmd.getErr().println("fineflow: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
    if (parsed.hasMatchedOption("--verbose")) {
      ex.printStackTrace(cmd.getErr());
    } else {
      cmd.getErr().println("(run again with --verbose for details)");
    }
    return ExitCode.INTERNAL;
  }
}
