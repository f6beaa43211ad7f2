package fineflow.activities.stages;

import java.util.List;

/**
 * The stage's input is wrong (bad record, inconsistent engine, used output directory): the pod
 * exits 2, which the executor classifies as non-retryable bad arguments.
 */
public final class StageInputException extends RuntimeException {
  private final List<String> problems;

  public StageInputException(String message, List<String> problems) {
    super(message);
    this.problems = List.copyOf(problems);
  }

  public StageInputException(String message) {
    this(message, List.of());
  }

  /** Each problem on its own line (the message summarises them). */
  public List<String> problems() {
    return problems;
  }
}
