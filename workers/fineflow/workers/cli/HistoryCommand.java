package fineflow.workers.cli;

import fineflow.workers.client.RunFilter;
import fineflow.workers.client.RunHistory;
import fineflow.workers.client.RunRow;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code fineflow history}: find runs by model, state, stage and start time. */
@Command(name = "history",
    header = "List runs by model, state, stage and start time.", mixinStandardHelpOptions = true,
    description = {"List runs, newest first, from Temporal's visibility store (the typed search",
        "attributes FineflowModel, FineflowState, FineflowStage, FineflowBackend, FineflowRevision).",
        "On a server without visibility (the embedded test server) the same filter is applied here."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:listed (maybe none)", "2:bad filter (--state, --since, --until, --where)",
        "6:Temporal unreachable"})
final class HistoryCommand implements Callable<Integer> {
  @Spec CommandSpec command;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Option(names = "--model", paramLabel = "ID", description = "Only runs of this model id.")
  String model;

  @Option(names = "--state", paramLabel = "STATE",
      description = "Only runs in this state: running, paused, succeeded, failed, cancelled.")
  String state;

  @Option(names = "--stage", paramLabel = "STAGE", description = "Only runs whose current stage is this one.")
  String stage;

  @Option(names = "--since", paramLabel = "WHEN",
      description = "Only runs started since: a duration back from now (30m, 12h, 7d) or an ISO-8601 instant.")
  String since;

  @Option(names = "--until", paramLabel = "WHEN",
      description = "Only runs started until: a duration back from now or an ISO-8601 instant.")
  String until;

  @Option(names = "--where", paramLabel = "QUERY",
      description = "A Temporal visibility query ANDed to the rest, e.g. 'FineflowRevision > 1'"
          + " (needs a server with visibility).")
  String where;

  @Override
  public Integer call() {
    RunFilter filter;
    try {
      filter = new RunFilter(model, state, stage, since == null ? null : parseTime("--since", since),
          until == null ? null : parseTime("--until", until), where);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), e.getMessage());
    }
    PrintWriter out = command.commandLine().getOut();
    try (ClientSession session = ClientSession.open(temporal)) {
      List<RunRow> rows;
      try {
        rows = new RunHistory(session.connection()).list(filter);
      } catch (RunHistory.InvalidFilter e) {
        throw new ParameterException(command.commandLine(), e.getMessage());
      }
      if (output.json()) {
        out.println(JsonOutput.write(rows));
      } else if (rows.isEmpty()) {
        out.println("no runs match");
      } else {
        String format = "%-40s %-10s %-18s %-12s %-4s %-20s %s%n";
        out.printf(format, "RUN", "STATE", "STAGE", "BACKEND", "REV", "STARTED", "MODEL");
        for (RunRow r : rows) {
          out.printf(format, r.runId(), nullToDash(r.state()), nullToDash(r.stage()), nullToDash(r.backend()),
              r.revision() == null ? "-" : r.revision(), r.startTime() == null ? "-"
                  : r.startTime().toString().replaceFirst("\\.\\d+Z$", "Z"), nullToDash(r.model()));
        }
      }
      out.flush();
      return ExitCode.OK;
    }
  }

  private Instant parseTime(String option, String text) {
    String t = text.trim();
    try {
      if (t.matches("\\d+[smhd]")) {
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        Duration d = switch (t.charAt(t.length() - 1)) {
          case 's' -> Duration.ofSeconds(n);
          case 'm' -> Duration.ofMinutes(n);
          case 'h' -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
        return Instant.now().minus(d);
      }
      return Instant.parse(t);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new ParameterException(command.commandLine(),
          option + ": expected a duration like 30m, 12h, 7d or an instant like 2026-11-26T00:00:00Z, got '" + text + "'");
    }
  }

  private static String nullToDash(String s) {
    return s == null ? "-" : s;
  }
}
