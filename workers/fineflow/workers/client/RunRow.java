package fineflow.workers.client;

import java.time.Instant;

/** One run in {@code fineflow history}: its search attributes and times. */
public record RunRow(
    String runId, String model, String state, String stage, String backend, Long revision,
    Instant startTime, Instant closeTime, String status) {
}
