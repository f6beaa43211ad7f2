package fineflow.workflows.spec;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Promotion gate: the candidate replaces the stable Service only when every set bound holds. */
public record SloSpec(
    @JsonPropertyDescription("Concurrency the bounds are checked at.") Integer atConcurrency,
    @JsonPropertyDescription("Upper bound of TTFT p99 in ms.") Double ttftP99Ms,
    @JsonPropertyDescription("Upper bound of inter-token latency avg in ms.") Double itlAvgMs,
    @JsonPropertyDescription("Lower bound of output throughput as percent of the baseline's.")
    Double minThroughputPercentOfBaseline) {
}
