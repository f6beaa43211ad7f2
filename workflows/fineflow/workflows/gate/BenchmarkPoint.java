package fineflow.workflows.gate;

/**
 * The numbers of one benchmark level that the workflow needs (the promotion gate, the run's
 * summary); the full distributions stay in the benchmark's summary.json. Null = not measured.
 */
public record BenchmarkPoint(
    int concurrency,
    Double ttftP99Ms,
    Double ttftAvgMs,
    Double itlAvgMs,
    Double outputTokenThroughput,
    Double outputTokenThroughputPerUser) {
}
