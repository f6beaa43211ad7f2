package fineflow.workers.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The visibility query a real cluster gets, and the same filter applied in the client. */
class RunFilterTest {
  @Test
  void everySetFieldBecomesATermOnItsSearchAttribute() {
    RunFilter f = new RunFilter("elyza/ELYZA-japanese-Llama-2-7b-instruct", "paused", "engine-build",
        Instant.parse("2026-11-01T00:00:00Z"));
    assertThat(f.query()).isEqualTo("WorkflowType = 'PipelineWorkflow'"
        + " AND FineflowModel = 'elyza/ELYZA-japanese-Llama-2-7b-instruct'"
        + " AND FineflowState = 'paused' AND FineflowStage = 'engine-build'"
        + " AND StartTime >= '2026-11-01T00:00:00Z'");
    assertThat(new RunFilter(null, null, null, null).query()).isEqualTo("WorkflowType = 'PipelineWorkflow'");
  }

  @Test
  void quotesInValuesCannotEndTheString() {
    assertThat(new RunFilter("o'brien/model", null, null, null).query()).endsWith("FineflowModel = 'o\\'brien/model'");
  }

  @Test
  void theClientSideFilterMatchesTheSameRuns() {
    RunRow paused = new RunRow("r1", "m", "paused", "engine-build", "triton", 1L,
        Instant.parse("2026-11-20T00:00:00Z"), null, "running");
    assertThat(new RunFilter("m", "paused", null, null).matches(paused)).isTrue();
    assertThat(new RunFilter(null, "succeeded", null, null).matches(paused)).isFalse();
    assertThat(new RunFilter(null, null, null, Instant.parse("2026-11-21T00:00:00Z")).matches(paused)).isFalse();
  }
}
