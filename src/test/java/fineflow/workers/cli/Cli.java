package fineflow.workers.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * One in-process run of fineflow's command line, as a user types it: its exit code and what it
 * printed on each stream.
 */
public record Cli(int exit, String out, String err) {

  public static Cli run(String... args) {
    return run(Main.commandLine(), args);
  }

  /** The same on the Temporal server at {@code target} (appends {@code --temporal target}). */
  public static Cli onTemporal(String target, String... args) {
    return run(Stream.concat(Arrays.stream(args), Stream.of("--temporal", target)).toArray(String[]::new));
  }

  /** A command built by the test (a command with a test client injected, say). */
  public static Cli run(CommandLine command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));
    int exit = command.execute(args);
    return new Cli(exit, out.toString(), err.toString());
  }
}
