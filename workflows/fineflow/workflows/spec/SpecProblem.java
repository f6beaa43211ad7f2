package fineflow.workflows.spec;

/**
 * One problem of a spec: the dotted path of the offending field ({@code training.lora.r},
 * {@code benchmark.concurrency[2]}), its YAML position (1-based; 0 when unknown, e.g. for a
 * patch or a spec built in code) and what is wrong.
 */
public record SpecProblem(String path, int line, int column, String message) {

  public SpecProblem {
    path = path == null ? "" : path;
  }

  /** A problem without a position; the loader adds one from the YAML source. */
  public static SpecProblem at(String path, String message) {
    return new SpecProblem(path, 0, 0, message);
  }

  public SpecProblem withPosition(int line, int column) {
    return new SpecProblem(path, line, column, message);
  }

  public boolean hasPosition() {
    return line > 0;
  }

  /** Whether this problem is about {@code other}'s field or something inside it. */
  public boolean isWithin(String other) {
    return other.isEmpty() || path.equals(other) || path.startsWith(other + ".")
        || path.startsWith(other + "[");
  }

  @Override
  public String toString() {
    String where = path.isEmpty() ? "spec" : path;
    if (hasPosition()) {
      where += " (line " + line + ", column " + column + ")";
    }
    return where + ": " + message;
  }
}
