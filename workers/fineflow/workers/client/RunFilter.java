package fineflow.workers.client;

import fineflow.workflows.pipeline.RunSearchAttributes;
import fineflow.workflows.pipeline.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which runs {@code fineflow history} lists; each field null = any. Becomes a visibility query
 * on the typed search attributes for a real cluster, or a client-side test for the test server.
 *
 * @param since runs started at or after; {@code until} at or before
 * @param where a visibility query of the user's, ANDed to the rest; only a server with a
 *     visibility store can answer it
 */
public record RunFilter(String model, String state, String stage, Instant since, Instant until, String where) {

  /** Checks what can be checked before a server sees it: a located message for a bad filter. */
  public RunFilter {
    if (state != null && Arrays.stream(RunState.values()).noneMatch(s -> s.id().equals(state))) {
      throw new IllegalArgumentException("--state: '" + state + "' is not a run state (one of "
          + String.join(", ", Arrays.stream(RunState.values()).map(RunState::id).toList()) + ")");
    }
    if (since != null && until != null && since.isAfter(until)) {
      throw new IllegalArgumentException("--since " + since + " is after --until " + until + ": no run can match");
    }
    if (where != null && where.isBlank()) {
      where = null;
    }
  }

  public RunFilter(String model, String state, String stage, Instant since) {
    this(model, state, stage, since, null, null);
  }

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
    if (until != null) {
      terms.add("StartTime <= '" + until + "'");
    }
    if (where != null) {
      terms.add("(" + where + ")");
    }
    return String.join(" AND ", terms);
  }

  /** The same filter in the client, for a server without visibility (it cannot apply {@code where}). */
  public boolean matches(RunRow row) {
    return (model == null || model.equals(row.model()))
        && (state == null || state.equals(row.state()))
        && (stage == null || stage.equals(row.stage()))
        && (since == null || (row.startTime() != null && !row.startTime().isBefore(since)))
        && (until == null || (row.startTime() != null && !row.startTime().isAfter(until)));
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("'", "\\'");
  }
}
