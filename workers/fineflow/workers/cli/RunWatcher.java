package fineflow.workers.cli;

import fineflow.workers.client.RunClient;
import fineflow.workflows.pipeline.RunProgress;
import fineflow.workflows.pipeline.RunState;
import fineflow.workflows.pipeline.StageState;
import fineflow.workflows.pipeline.StageStatus;
import fineflow.workflows.plan.StageName;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Follows a run until it stops moving (succeeded, failed, cancelled or paused): a progress bar
 * per running stage (steps from the pod's progress lines, e.g. training steps and loss), a
 * line per stage that ends, and the run's exit code.
 */
final class RunWatcher {
  private final RunClient runs;
  private final PrintWriter out;
  private final PrintStream bars;
  private final Duration interval;
  private final Map<StageName, StageState> shown = new EnumMap<>(StageName.class);
  private ProgressBar bar;
  private StageName barStage;

  /** @param bars where progress bars go; null for none ({@link #barsOnTerminal}) */
  RunWatcher(RunClient runs, PrintWriter out, PrintStream bars, Duration interval) {
    this.runs = runs;
    this.out = out;
    this.bars = bars;
    this.interval = interval;
  }

  /** Watches until the run is done or paused; returns its last progress. */
  RunProgress watch(String runId) throws InterruptedException {
    while (true) {
      RunProgress p = runs.progress(runId);
      update(p);
      if (p.runState() != RunState.RUNNING) {
        closeBar();
        out.println();
        out.print(ProgressTable.render(p));
        out.flush();
        return p;
      }
      Thread.sleep(interval.toMillis());
    }
  }

  /**
   * Stderr when stdout is a terminal, else null: redrawn bars are for people watching, and in a
   * log or a pipe they are hundreds of carriage-return lines. (Java 17's System.console() is
   * non-null only when both stdin and stdout are a terminal.)
   */
  static PrintStream barsOnTerminal() {
    return System.console() != null ? System.err : null;
  }

  static int exitCode(RunProgress p) {
    return switch (p.runState()) {
      case SUCCEEDED -> ExitCode.OK;
      case PAUSED -> ExitCode.PAUSED;
      case RUNNING -> ExitCode.OK;
      case FAILED, CANCELLED -> ExitCode.RUN_FAILED;
    };
  }

  private void update(RunProgress p) {
    for (StageStatus s : p.stages()) {
      StageState before = shown.put(s.stage(), s.state());
      if (s.state() == StageState.RUNNING) {
        running(s);
      } else if (before != s.state() && s.state() != StageState.PENDING && s.state() != StageState.SKIPPED) {
        if (barStage == s.stage()) {
          closeBar();
        }
        out.printf("%-18s %s%s  %s%n", s.stage().id(), s.state().id(), s.result().simulated() ? " (simulated)" : "",
            s.state() == StageState.SUCCEEDED || s.state() == StageState.CACHED
                ? ProgressTable.duration(s) + "  " + ProgressTable.detail(s)
                : ProgressTable.detail(s));
        out.flush();
      }
    }
  }

  private void running(StageStatus s) {
    if (bars == null) {
      return;
    }
    if (barStage != s.stage()) {
      closeBar();
      out.flush();
      bar = new ProgressBarBuilder().setTaskName(s.stage().id()).setInitialMax(-1)
          .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate()
          .setConsumer(new ConsoleProgressBarConsumer(bars)).hideEta().build();
      barStage = s.stage();
    }
    ProgressLine line = ProgressLine.parse(s.progress());
    if (line.step().isPresent() && line.totalSteps().isPresent()) {
      bar.maxHint(line.totalSteps().getAsLong());
      bar.stepTo(line.step().getAsLong());
    }
    bar.setExtraMessage(line.extra());
  }

  private void closeBar() {
    if (bar != null) {
      bar.close();
      bar = null;
      barStage = null;
    }
  }
}
