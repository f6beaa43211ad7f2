package fineflow.workers;

import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * How a fineflow program reports an error that ends it: one line on stderr, the stack trace only
 * with {@code --verbose} or FINEFLOW_VERBOSE, and for a bug a hint to ask for it. The
 * {@code fineflow} command and the stage programs the dev node runs in-process print alike.
 *
 * @param internal a bug rather than a known condition: the hint is printed
 */
public record ErrorLine(String message, int exitCode, boolean internal) {

  /** The exception's own message, or its class when it has none. */
  public static String messageOf(Exception ex) {
    return ex.getMessage() == null ? ex.toString() : ex.getMessage();
  }

  /** Prints the line (and the trace or the hint) on the command's stderr; returns the exit code. */
  public int print(Exception ex, CommandLine cmd, ParseResult parsed) {
    cmd.getErr().println("fineflow: " + message);
    if (verbose(parsed) || System.getenv("FINEFLOW_VERBOSE") != null) {
      ex.printStackTrace(cmd.getErr());
    } else if (internal) {
      cmd.getErr().println("(run it again with --verbose for the stack trace)");
    }
    cmd.getErr().flush();
    return exitCode;
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
