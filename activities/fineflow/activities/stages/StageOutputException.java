package fineflow.activities.stages;

import java.util.List;

/** The stage produced an output that fails its own check: the pod exits 4 (OutputInvalid). */
public final class StageOutputException extends RuntimeException {
  private final List<String> problems;

  public StageOutputException(String message, List<String> problems) {
    super(message);
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
