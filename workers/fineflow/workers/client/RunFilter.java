package fineflow.workers.client;

import fineflow.workflows.pipeline.RunSearchAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which runs {@code fineflow history} lists; each field null = any. Becomes a visibility query
 * on the typed search attributes for a real cluster, or a client-side test for the test server.
 */
public record RunFilter(String model, String state, String stage, Instant since) {

  /** The visibility query, e.g. {@code WorkflowType = 'PipelineWorkflow' AND FineflowState = 'paused'}. */
  public String query() {
    List<String> terms = new ArrayList<>();
    terms.add("WorkflowType = '" + RunHistory.WORKFLOW_TYPE + "'");
    if (model != null) {
      terms.add(RunSearchAttributes.MODEL.getName() + " = '" + escape(model) + "'");
    }
    if (state != null) {
      terms.add(RunSearchAttributes.STATE.getName() + " = '" + escape(state) + "'");
    }
    if (stage != null) {
      terms.add(RunSearchAttributes.STAGE.getName() + " = '" + escape(stage) + "'");
    }
    if (since != null) {
      terms.add("StartTime >= '" + since + "'");
    }
    return String.join(" AND ", terms);
  }

  public boolean matches(RunRow row) {
    return (model == null || model.equals(row.model()))
        && (state == null || state.equals(row.state()))
        && (stage == null || stage.equals(row.stage()))
        && (since == null || (row.startTime() != null && !row.startTime().isBefore(since)));
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("'", "\\'");
  }
}
