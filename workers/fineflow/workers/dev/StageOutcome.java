package fineflow.workers.dev;

import java.time.Duration;
import java.util.List;

/**
 * What a (simulated) container does: the log lines it prints over {@code duration}, then its
 * exit code and termination message.
 */
record StageOutcome(List<String> logLines, Duration duration, int exitCode, String terminationMessage) {
  StageOutcome {
    logLines = List.copyOf(logLines);
  }

  boolean succeeded() {
    return exitCode == 0;
  }
}
