package fineflow.workflows.pipeline;

import fineflow.workflows.spec.PipelineSpec;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import java.util.Map;

/**
 * The typed search attributes of a run, so runs can be found in the Temporal UI and by
 * {@code fineflow history} (e.g. {@code FineflowState="paused" AND FineflowModel="…"}).
 * A cluster must have them registered (see {@link #ALL}).
 */
public final class RunSearchAttributes {
  public static final SearchAttributeKey<String> MODEL = SearchAttributeKey.forKeyword("FineflowModel");
  /** The stage that runs (or is paused) now. */
  public static final SearchAttributeKey<String> STAGE = SearchAttributeKey.forKeyword("FineflowStage");
  /** A {@link RunState} id: running, paused, succeeded, failed, cancelled. */
  public static final SearchAttributeKey<String> STATE = SearchAttributeKey.forKeyword("FineflowState");
  public static final SearchAttributeKey<String> BACKEND = SearchAttributeKey.forKeyword("FineflowBackend");
  /** The spec revision: 1 as submitted, +1 per accepted resume. */
  public static final SearchAttributeKey<Long> REVISION = SearchAttributeKey.forLong("FineflowRevision");

  /** Name → index type, for registering them on a cluster or a test server. */
  public static final Map<String, IndexedValueType> ALL = Map.of(
      MODEL.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      STAGE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      STATE.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      BACKEND.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      REVISION.getName(), IndexedValueType.INDEXED_VALUE_TYPE_INT);

  private RunSearchAttributes() {
  }

  /** What a starter sets when it starts a run (the workflow upserts the same at its start). */
  public static SearchAttributes initial(PipelineSpec spec) {
    return SearchAttributes.newBuilder()
        .set(MODEL, spec.model().id())
        .set(BACKEND, spec.serving().backend().wireName())
        .set(STATE, RunState.RUNNING.id())
        .set(REVISION, 1L)
        .build();
  }
}
