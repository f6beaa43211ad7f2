package fineflow.workers.cli;

import fineflow.workers.client.RunAudit;
import fineflow.workflows.pipeline.StageLaunch;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fineflow show RUN}: the audit of one run. */
@Command(name = "show",
    header = "Audit one run: revisions, stages, launches, artifacts, events.", mixinStandardHelpOptions = true,
    description = {"Audit one run: spec revisions (each accepted resume), stages with launches (pods",
        "started over the whole run), durations, artifacts and failures, and the history's events."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:printed", "2:no such run", "6:Temporal unreachable"})
final class ShowCommand implements Callable<Integer> {
  @Spec CommandSpec command;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Parameters(paramLabel = "RUN", description = "Run id.")
  String runId;

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    try (ClientSession session = ClientSession.open(temporal)) {
      RunAudit audit = RunAudit.of(session.runs(), runId);
      if (output.json()) {
        out.println(JsonOutput.write(audit));
      } else {
        out.printf("run %s: %s (Temporal: %s)  pipeline %s  model %s  backend %s%n", audit.runId(), audit.state(),
            audit.temporalStatus(), audit.pipeline(), audit.model(), audit.backend());
        out.printf("spec %s, revision %d; started %s%s%n", audit.specDigest().substring(0, 12), audit.specRevision(),
            audit.startTime(), audit.closeTime() == null ? "" : ", closed " + audit.closeTime());
        out.println("\nREVISIONS");
        audit.revisions().forEach(r -> out.printf("  %d  %s  %s%n", r.revision(), r.at(), r.change()));
        out.println("\nSTAGES");
        out.printf("  %-18s %-10s %-8s %-9s %s%n", "STAGE", "STATE", "LAUNCHES", "SECONDS", "ARTIFACTS / FAILURE");
        for (RunAudit.Stage s : audit.stages()) {
          out.printf("  %-18s %-10s %-8d %-9s %s%s%n", s.name(), s.state(), s.launches(),
              s.durationSeconds() == null ? "-" : String.format("%.1f", s.durationSeconds()),
              s.simulated() ? "[simulated] " : "", detail(s));
        }
        out.println("\nLAUNCHES");
        out.printf("  %-18s %-3s %-4s %-40s %-20s %-20s %s%n", "STAGE", "#", "REV", "JOB / POD", "STARTED",
            "FINISHED", "OUTCOME");
        for (RunAudit.Stage s : audit.stages()) {
          for (StageLaunch l : s.attempts()) {
            out.printf("  %-18s %-3d %-4d %-40s %-20s %-20s %s%n", s.name(), l.launch(), l.revision(),
                (l.objectName() == null ? "-" : l.objectName()) + (l.podName() == null ? "" : " / " + l.podName()),
                instant(l.startedAt()), instant(l.finishedAt()), outcome(l));
          }
        }
        if (!audit.timeline().isEmpty()) {
          out.println("\nPAUSES AND RESUMES");
          audit.timeline().forEach(m -> out.printf("  %s  %s%n", instant(m.at()), m.event()));
        }
        out.printf("%nEVENTS  %d in history: %s%n", audit.events().total(), audit.events().byType());
      }
      out.flush();
      return ExitCode.OK;
    }
  }

  /**
   * The stage's ARTIFACTS / FAILURE column: why it was re-keyed, its failure or artifacts, and
   * for the baseline whether the run released its server, e.g. "released (benchmark failed)".
   */
  static String detail(RunAudit.Stage s) {
    String detail = (s.keyChange() == null ? "" : rerunBecause(s) + "; ")
        + (s.reason() != null ? s.reason() + ": " + s.lastError()
        : String.join(", ", s.artifacts().stream().map(a -> a.name() + " " + a.path() + " ("
            + ProgressTable.bytes(a.sizeBytes()) + ", sha256 " + a.sha256().substring(0, 12) + ")").toList()));
    return s.released() == null ? detail : detail.isEmpty() ? s.released() : detail + "; " + s.released();
  }

  /** e.g. "re-run: dataset-prep's output changed (sha 1a2b3c4d5e6f → 3c4d5e6f7a8b)". */
  static String rerunBecause(RunAudit.Stage s) {
    return (s.state().equals("cached") ? "re-keyed" : "re-run") + ": " + s.keyChange();
  }

  /** e.g. "failed BadArguments: exit 2; hint: … → run paused", "succeeded (adopted its Job)". */
  static String outcome(StageLaunch l) {
    StringBuilder text = new StringBuilder(l.outcome().id());
    if (l.reason() != null) {
      text.append(' ').append(l.reason()).append(": ").append(l.message());
      if (l.hint() != null) {
        text.append("; hint: ").append(l.hint());
      }
      text.append(l.pausedRun() ? " → run paused" : " → relaunched");
    }
    if (l.adopted()) {
      text.append(" (adopted its Job)");
    }
    return text.toString();
  }

  private static String instant(java.time.Instant t) {
    return t == null ? "-" : t.toString().replaceFirst("\\.\\d+Z$", "Z");
  }
}
