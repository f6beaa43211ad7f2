package fineflow.workflows.spec;

import java.util.List;
import java.util.stream.Collectors;

/** A spec (or a patch of one) is invalid; carries every problem found, not just the first. */
public class SpecException extends RuntimeException {
  private final List<SpecProblem> problems;

  public SpecException(List<SpecProblem> problems) {
    this(null, problems);
  }

  /** {@code source} (a file name, or null) prefixes the message. */
  public SpecException(String source, List<SpecProblem> problems) {
    super((source == null ? "" : source + ": ") + summary(problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a SpecException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  public SpecException(SpecProblem problem) {
    this(List.of(problem));
  }

  public List<SpecProblem> problems() {
    return problems;
  }

  private static String summary(List<SpecProblem> problems) {
    String head = problems.size() == 1 ? "invalid spec: " : problems.size() + " problems in spec:\n  ";
    return head + problems.stream().map(SpecProblem::toString).collect(Collectors.joining("\n  "));
  }
}
