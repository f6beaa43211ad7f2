package fineflow.workflows.pipeline;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The run's stage table as Markdown, for the Temporal UI's current details: where the run is,
 * one row per planned stage, and every launch that failed (why, and what to change).
 */
public final class StageTable {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private StageTable() {
  }

  public static String markdown(RunProgress p) {
    StringBuilder md = new StringBuilder();
    md.append("**").append(p.runState().id()).append("**");
    if (p.pausedStage() != null) {
      md.append(" at ").append(p.pausedStage().id());
    } else if (p.currentStage() != null) {
      md.append(", stage ").append(p.currentStage().id());
    }
    md.append(" · spec revision ").append(p.specRevision()).append(" · spec ")
        .append(shortDigest(p.specDigest())).append("\n\n");
    md.append("| Stage | State | Launches | Started (UTC) | Finished (UTC) | Job |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (StageStatus s : p.stages()) {
      if (s.state() == StageState.SKIPPED) {
        continue;
      }
      md.append("| ").append(s.stage().id()).append(" | ").append(s.state().id()).append(" | ")
          .append(s.launch().count()).append(" | ").append(time(s.launch().startedAt())).append(" | ")
          .append(time(s.launch().finishedAt())).append(" | ").append(cell(s.launch().objectName())).append(" |\n");
    }
    List<StageLaunch> failed = p.launches().stream()
        .filter(l -> l.outcome() == StageLaunch.Outcome.FAILED).toList();
    if (!failed.isEmpty()) {
      md.append("\n**Failed launches**\n\n");
      for (StageLaunch l : failed) {
        md.append("- ").append(l.label()).append(": ").append(cell(l.reason())).append(", ")
            .append(cell(l.message())).append(l.pausedRun() ? " (run paused)" : " (relaunched)");
        if (l.hint() != null) {
          md.append(". Hint: ").append(cell(l.hint()));
        }
        md.append('\n');
      }
    }
    return md.toString();
  }

  static String shortDigest(String digest) {
    return digest == null ? "-" : digest.substring(0, Math.min(12, digest.length()));
  }

  private static String time(Instant t) {
    return t == null ? "-" : TIME.format(t);
  }

  /** One table cell: no line breaks or pipes from a message can break the table. */
  private static String cell(String text) {
    return text == null || text.isBlank() ? "-" : text.replace('\n', ' ').replace("|", "\\|");
  }
}
