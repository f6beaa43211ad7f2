package fineflow.workflows.pipeline;

import fineflow.workflows.contract.Artifact;
import fineflow.workflows.contract.StageFailure;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageName;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One row of the {@code progress} table. Immutable: the workflow replaces a row as the stage
 * moves, so a query never sees a half-updated row.
 *
 * @param launches how many times this run launched the stage (a relaunch after a transient
 *     failure or a resume adds one)
 * @param finishedAt null while pending or running
 * @param progress the last progress line the stage's pod printed; the workflow never sees it
 *     (it lives in the await activity's retry state), {@link ProgressView} merges it in
 * @param reason a {@code FailureType} name when the stage failed or is paused
 * @param keyChange why the run re-keyed the stage, when an input it reads changed within the run
 *     or since the result last recorded for its input (e.g. "dataset-prep's output changed (sha
 *     1a2b3c4d5e6f → 3c4d5e6f7a8b)"); null otherwise
 * @param released for a server the benchmark reads (the baseline), how the run released it once
 *     the benchmark ended, as {@code show} prints it: {@link #RELEASED_AFTER_BENCHMARK} or
 *     {@link #RELEASED_BENCHMARK_FAILED}; null while the run holds it or never launched it
 */
public record StageStatus(
    StageName stage,
    StageState state,
    String cacheKey,
    String summary,
    int launches,
    Instant startedAt,
    Instant finishedAt,
    String objectName,
    String podName,
    List<Artifact> artifacts,
    Map<String, Double> metrics,
    Map<String, String> info,
    boolean simulated,
    String lastError,
    String reason,
    String hint,
    List<String> logTail,
    String progress,
    String keyChange,
    String released) {

  public static final String RELEASED_AFTER_BENCHMARK = "released after benchmark";
  public static final String RELEASED_BENCHMARK_FAILED = "released (benchmark failed)";

  public StageStatus {
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    info = info == null ? Map.of() : Map.copyOf(info);
    logTail = logTail == null ? List.of() : List.copyOf(logTail);
  }

  /** A row without a key change. */
  public StageStatus(StageName stage, StageState state, String cacheKey, String summary,
      int launches, Instant startedAt, Instant finishedAt, String objectName, String podName,
      List<Artifact> artifacts, Map<String, Double> metrics, Map<String, String> info,
      boolean simulated, String lastError, String reason, String hint, List<String> logTail,
      String progress) {
    this(stage, state, cacheKey, summary, launches, startedAt, finishedAt, objectName, podName,
        artifacts, metrics, info, simulated, lastError, reason, hint, logTail, progress, null, null);
  }

  /** A row of a stage whose server, if any, the run did not release. */
  public StageStatus(StageName stage, StageState state, String cacheKey, String summary,
      int launches, Instant startedAt, Instant finishedAt, String objectName, String podName,
      List<Artifact> artifacts, Map<String, Double> metrics, Map<String, String> info,
      boolean simulated, String lastError, String reason, String hint, List<String> logTail,
      String progress, String keyChange) {
    this(stage, state, cacheKey, summary, launches, startedAt, finishedAt, objectName, podName,
        artifacts, metrics, info, simulated, lastError, reason, hint, logTail, progress, keyChange,
        null);
  }

  public static StageStatus pending(Stage stage) {
    return new StageStatus(stage.name(), StageState.PENDING, stage.cacheKey(), stage.summary(), 0,
        null, null, null, null, null, null, null, false, null, null, null, null, null, null);
  }

  public static StageStatus skipped(StageName stage) {
    return new StageStatus(stage, StageState.SKIPPED, null, null, 0,
        null, null, null, null, null, null, null, false, null, null, null, null, null, null);
  }

  /** Time from start to finish, or null while the stage has not finished. */
  public Duration elapsed() {
    return startedAt == null || finishedAt == null ? null : Duration.between(startedAt, finishedAt);
  }

  /** A new launch: counts it and forgets the previous launch's outcome. */
  StageStatus launching(Instant now) {
    return new StageStatus(stage, StageState.RUNNING, cacheKey, summary, launches + 1, now, null,
        null, null, null, null, null, false, lastError, reason, hint, logTail, null, keyChange);
  }

  StageStatus launched(String object) {
    return new StageStatus(stage, state, cacheKey, summary, launches, startedAt, finishedAt,
        object, podName, artifacts, metrics, info, simulated, lastError, reason, hint, logTail,
        progress, keyChange, released);
  }

  StageStatus succeeded(StageResult result, Instant now) {
    return finished(StageState.SUCCEEDED, result, now);
  }

  StageStatus cached(StageResult result, Instant now) {
    return finished(StageState.CACHED, result, now);
  }

  private StageStatus finished(StageState to, StageResult result, Instant now) {
    return new StageStatus(stage, to, cacheKey, summary, launches,
        startedAt == null ? now : startedAt, now,
        result.objectName() == null ? objectName : result.objectName(), result.podName(),
        result.artifacts(), result.metrics(), result.info(), result.simulated(),
        null, null, null, null, null, keyChange);
  }

  /** Failed and about to be relaunched, or {@code PAUSED} waiting for a resume. */
  StageStatus failed(StageState to, StageFailure failure, Instant now) {
    return new StageStatus(stage, to, cacheKey, summary, launches, startedAt, now, objectName,
        podName, artifacts, metrics, info, simulated, failure.message(), failure.reason(),
        failure.hint(), failure.logTail(), progress, keyChange, released);
  }

  StageStatus withState(StageState to, Instant now) {
    return new StageStatus(stage, to, cacheKey, summary, launches, startedAt,
        finishedAt == null ? now : finishedAt, objectName, podName, artifacts, metrics, info,
        simulated, lastError, reason, hint, logTail, progress, keyChange, released);
  }

  /** The same stage under a new plan revision; a changed key makes it pending again. */
  StageStatus replanned(Stage planned) {
    return replanned(planned, null);
  }

  /**
   * The same stage re-keyed, {@code why} naming the input that changed its key (null: none
   * new); a changed key makes it pending again. A key that stays keeps the row, result and all.
   */
  StageStatus replanned(Stage planned, String why) {
    boolean sameKey = planned.cacheKey().equals(cacheKey);
    if (sameKey && (state == StageState.SUCCEEDED || state == StageState.CACHED)) {
      return this;
    }
    StageStatus fresh = pending(planned);
    return new StageStatus(fresh.stage, fresh.state, fresh.cacheKey, fresh.summary, launches,
        null, null, null, null, null, null, null, false, lastError, reason, hint, logTail, null,
        // A row not run since it was re-keyed keeps saying why, through the next pin's re-key.
        why != null ? why : sameKey || !done() ? keyChange : null);
  }

  StageStatus noted(String error) {
    return new StageStatus(stage, state, cacheKey, summary, launches, startedAt, finishedAt,
        objectName, podName, artifacts, metrics, info, simulated, error, reason, hint, logTail,
        progress, keyChange, released);
  }

  /** The run left the stage's server (the baseline, once the benchmark ended); see {@code released}. */
  StageStatus serverReleased(String how) {
    return new StageStatus(stage, state, cacheKey, summary, launches, startedAt, finishedAt,
        objectName, podName, artifacts, metrics, info, simulated, lastError, reason, hint, logTail,
        progress, keyChange, how);
  }

  /** With the pod's last progress line, as merged in by a client. */
  public StageStatus withProgress(String pod, String line) {
    return new StageStatus(stage, state, cacheKey, summary, launches, startedAt, finishedAt,
        objectName, pod == null ? podName : pod, artifacts, metrics, info, simulated, lastError,
        reason, hint, logTail, line, keyChange, released);
  }

  /**
   * A result whose server the run does not hold up: released after the benchmark, or taken from
   * the cache (another run's server, which may be gone).
   */
  boolean serverGone() {
    return done() && (state == StageState.CACHED || released != null);
  }

  boolean done() {
    return state == StageState.SUCCEEDED || state == StageState.CACHED;
  }
}
