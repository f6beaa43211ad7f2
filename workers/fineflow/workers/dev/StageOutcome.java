package fineflow.workers.dev;

import java.time.Duration;
import java.util.List;

/**
 * What a (simulated) container does: the log lines it prints over {@code duration}, then its
 * exit code, termination message and the reason its status gives ({@code Completed},
 * {@code Error}, or the kubelet's {@code StartError} for a program that could not start).
 */
record StageOutcome(List<String> logLines, Duration duration, int exitCode, String terminationMessage,
    String reason) {
  StageOutcome {
    logLines = List.copyOf(logLines);
  }

  StageOutcome(List<String> logLines, Duration duration, int exitCode, String terminationMessage) {
    this(logLines, duration, exitCode, terminationMessage, exitCode == 0 ? "Completed" : "Error");
  }

  boolean succeeded() {
    return exitCode == 0;
  }
}
