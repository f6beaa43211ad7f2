package fineflow.activities.stages.datasetprep;

/**
 * One bad record (or one malformed spot of the file).
 *
 * @param index 0-based position of the record in the array (json) or among the non-blank lines
 *     (jsonl); -1 when the file itself is malformed
 * @param line 1-based line where the record starts (or where parsing failed)
 * @param column 1-based column of a parse error; 0 when the record as a whole is meant
 */
public record DatasetProblem(int index, int line, int column, ProblemKind kind, String message) {

  @Override
  public String toString() {
    StringBuilder where = new StringBuilder("line ").append(line);
    if (column > 0) {
      where.append(", column ").append(column);
    }
    if (index >= 0) {
      where.append(" (record ").append(index).append(')');
    }
    return where + ": " + kind.label() + ": " + message;
  }
}
