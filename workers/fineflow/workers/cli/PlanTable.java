package fineflow.workers.cli;

import fineflow.workflows.plan.OutputPin;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageName;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The text rendering of a plan: one row per stage with its command abbreviated, and totals. */
final class PlanTable {
  private static final String[] HEADER = {"STAGE", "KIND", "IMAGE", "GPU", "CACHE KEY", "COMMAND"};
  private static final int COMMAND_WIDTH = 72;
  /** stage_runner.py wraps the NVIDIA tools; the tool is what a reader wants to see. */
  private static final String WRAPPER_END = "--";

  private PlanTable() {
  }

  static String render(Plan plan) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (Stage s : plan.stages()) {
      rows.add(new String[] {s.name().id(), s.kind().name().toLowerCase(), s.image(),
          s.usesGpu() ? String.valueOf(s.resources().gpus()) : "-", s.shortKey(), command(s)});
    }
    int[] widths = new int[HEADER.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    out.append("Plan for ").append(plan.pipeline()).append(" (spec ")
        .append(plan.specDigest(), 0, 12).append(")\n\n");
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(i == row.length - 1 ? row[i] : pad(row[i], widths[i] + 2));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    String pending = pendingKeys(plan);
    if (!pending.isEmpty()) {
      out.append('\n').append(pending).append('\n');
    }
    return out.append('\n').append(totals(plan)).append('\n').toString();
  }

  /**
   * The keys a plan from the spec alone cannot know: those of the stages that read what
   * model-fetch or dataset-prep find on the workspace, which the run completes with the sha
   * they record ({@link OutputPin}). Empty for a plan with nothing pending.
   */
  static String pendingKeys(Plan plan) {
    Set<StageName> readers = new LinkedHashSet<>();
    List<String> pinned = new ArrayList<>();
    for (StageName stage : OutputPin.PINNED) {
      if (plan.stage(stage).isPresent() && plan.pin(stage).isEmpty()) {
        pinned.add(stage.id());
        readers.addAll(plan.readersOf(stage));
      }
    }
    if (readers.isEmpty()) {
      return "";
    }
    return String.join(" and ", pinned) + " run on every run (they read the workspace, which"
        + " this plan cannot see); the cache keys of " + String.join(", ",
        readers.stream().map(StageName::id).toList()) + " are completed at run time with the sha "
        + (pinned.size() == 1 ? "it records" : "they record") + ": shown are the planned keys.";
  }

  /** The command with stage_runner's wrapper left out, cut to one table column. */
  static String command(Stage stage) {
    List<String> argv = stage.argv();
    int wrapper = argv.size() > 1 && argv.get(1).endsWith("/stage_runner.py")
        ? argv.indexOf(WRAPPER_END) : -1;
    List<String> shown = wrapper >= 0 ? argv.subList(wrapper + 1, argv.size()) : argv;
    String text = String.join(" ", shown.stream().map(PlanTable::quoted).toList());
    return text.length() <= COMMAND_WIDTH ? text : text.substring(0, COMMAND_WIDTH - 1) + "…";
  }

  static String totals(Plan plan) {
    long gpuStages = plan.stages().stream().filter(Stage::usesGpu).count();
    long expected = plan.stages().stream().mapToLong(Stage::expectedSeconds).sum();
    long gpuSeconds = plan.stages().stream().filter(Stage::usesGpu)
        .mapToLong(s -> s.expectedSeconds() * s.resources().gpus()).sum();
    return plan.stages().size() + " stages, " + gpuStages + " on GPU; expected about "
        + minutes(expected) + " end to end, " + minutes(gpuSeconds) + " of GPU time"
        + " (typical durations; cached stages are skipped)";
  }

  private static String minutes(long seconds) {
    long m = Math.round(seconds / 60.0);
    return m < 60 ? m + " min" : (m / 60) + " h " + (m % 60) + " min";
  }

  private static String quoted(String arg) {
    return arg.isEmpty() || arg.chars().anyMatch(Character::isWhitespace) ? "'" + arg + "'" : arg;
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(Math.max(0, width - s.length()));
  }
}
