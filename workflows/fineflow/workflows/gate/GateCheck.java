package fineflow.workflows.gate;

/**
 * One SLO bound checked against a benchmark level.
 *
 * @param actual the measured value, null when it was not measured (the check then fails)
 * @param comparator {@code <=} or {@code >=}
 * @param note why a check failed without a number (missing level, no baseline), else empty
 */
public record GateCheck(
    String metric, int concurrency, Double actual, String comparator, double bound,
    boolean pass, String note) {
}
