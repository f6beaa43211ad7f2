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
 * One row of the {@code progress} table: the stage and its state, then one part per concern, so
 * that a move of the stage replaces the part it changes and keeps the others whole. Immutable: the
 * workflow replaces a row as the stage moves, so a query never sees a half-updated row.
 *
 * @param identity which planned stage the row is (its key, and why the run re-keyed it)
 * @param launch the current (or last) launch
 * @param result what the last successful launch produced; {@link Result#NONE} until then
 * @param failure why the last launch failed; {@link Failure#NONE} when none did
 * @param progress the last progress line the stage's pod printed; the workflow never sees it
 *     (it lives in the await activity's retry state), {@link ProgressView} merges it in
 */
public record StageStatus(
    StageName stage,
    StageState state,
    Identity identity,
    Launch launch,
    Result result,
    Failure failure,
    String progress) {

  public static final String RELEASED_AFTER_BENCHMARK = "released after benchmark";
  public static final String RELEASED_BENCHMARK_FAILED = "released (benchmark failed)";

  public StageStatus {
    identity = identity == null ? Identity.NONE : identity;
    launch = launch == null ? Launch.NONE : launch;
    result = result == null ? Result.NONE : result;
    failure = failure == null ? Failure.NONE : failure;
  }

  /**
   * The planned stage the row stands for.
   *
   * @param keyChange why the run re-keyed the stage, when an input it reads changed within the run
   *     or since the result last recorded for its input (e.g. "dataset-prep's output changed (sha
   *     1a2b3c4d5e6f → 3c4d5e6f7a8b)"); null otherwise
   */
  public record Identity(String cacheKey, String summary, String keyChange) {
    static final Identity NONE = new Identity(null, null, null);
  }

  /**
   * The current launch.
   *
   * @param count how many times this run launched the stage (a relaunch after a transient
   *     failure or a resume adds one)
   * @param finishedAt null while pending or running
   */
  public record Launch(int count, Instant startedAt, Instant finishedAt, String objectName, String podName) {
    static final Launch NONE = new Launch(0, null, null, null, null);

    /** Time from start to finish, or null while the stage has not finished. */
    public Duration elapsed() {
      return startedAt == null || finishedAt == null ? null : Duration.between(startedAt, finishedAt);
    }
  }

  /**
   * What the stage produced.
   *
   * @param released for a server the benchmark reads (the baseline), how the run released it once
   *     the benchmark ended, as {@code show} prints it: {@link #RELEASED_AFTER_BENCHMARK} or
   *     {@link #RELEASED_BENCHMARK_FAILED}; null while the run holds it or never launched it
   */
  public record Result(List<Artifact> artifacts, Map<String, Double> metrics, Map<String, String> info,
      boolean simulated, String released) {
    public static final Result NONE = new Result(null, null, null, false, null);

    public Result {
      artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
      metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
      info = info == null ? Map.of() : Map.copyOf(info);
    }

    static Result of(StageResult r) {
      return new Result(r.artifacts(), r.metrics(), r.info(), r.simulated(), null);
    }
  }

  /**
   * Why the last launch failed (or, {@code reason} null, a note such as a result the cache did not
   * record).
   *
   * @param reason a {@code FailureType} name when the stage failed or is paused
   */
  public record Failure(String message, String reason, String hint, List<String> logTail) {
    public static final Failure NONE = new Failure(null, null, null, null);

    public Failure {
      logTail = logTail == null ? List.of() : List.copyOf(logTail);
    }

    static Failure of(StageFailure f) {
      return new Failure(f.message(), f.reason(), f.hint(), f.logTail());
    }
  }

  public static StageStatus pending(Stage stage) {
    return new StageStatus(stage.name(), StageState.PENDING, new Identity(stage.cacheKey(), stage.summary(), null),
        null, null, null, null);
  }

  public static StageStatus skipped(StageName stage) {
    return new StageStatus(stage, StageState.SKIPPED, null, null, null, null, null);
  }

  /** Time from start to finish, or null while the stage has not finished. */
  public Duration elapsed() {
    return launch.elapsed();
  }

  /** A new launch: counts it and forgets the previous launch's outcome (its failure stays in view). */
  StageStatus launching(Instant now) {
    return new StageStatus(stage, StageState.RUNNING, identity, new Launch(launch.count() + 1, now, null, null, null),
        null, failure, null);
  }

  StageStatus launched(String object) {
    return with(new Launch(launch.count(), launch.startedAt(), launch.finishedAt(), object, launch.podName()));
  }

  StageStatus succeeded(StageResult result, Instant now) {
    return finished(StageState.SUCCEEDED, result, now);
  }

  StageStatus cached(StageResult result, Instant now) {
    return finished(StageState.CACHED, result, now);
  }

  private StageStatus finished(StageState to, StageResult r, Instant now) {
    Launch done = new Launch(launch.count(), launch.startedAt() == null ? now : launch.startedAt(), now,
        r.objectName() == null ? launch.objectName() : r.objectName(), r.podName());
    return new StageStatus(stage, to, identity, done, Result.of(r), null, null);
  }

  /** Failed and about to be relaunched, or {@code PAUSED} waiting for a resume. */
  StageStatus failed(StageState to, StageFailure f, Instant now) {
    return new StageStatus(stage, to, identity, finishedAt(now), result, Failure.of(f), progress);
  }

  StageStatus withState(StageState to, Instant now) {
    return new StageStatus(stage, to, identity, launch.finishedAt() == null ? finishedAt(now) : launch, result,
        failure, progress);
  }

  private Launch finishedAt(Instant now) {
    return new Launch(launch.count(), launch.startedAt(), now, launch.objectName(), launch.podName());
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
    boolean sameKey = planned.cacheKey().equals(identity.cacheKey());
    if (sameKey && done()) {
      return this;
    }
    // A row not run since it was re-keyed keeps saying why, through the next pin's re-key.
    String keyChange = why != null ? why : sameKey || !done() ? identity.keyChange() : null;
    return new StageStatus(stage, StageState.PENDING, new Identity(planned.cacheKey(), planned.summary(), keyChange),
        new Launch(launch.count(), null, null, null, null), null, failure, null);
  }

  StageStatus noted(String error) {
    return with(new Failure(error, failure.reason(), failure.hint(), failure.logTail()));
  }

  /** The run left the stage's server (the baseline, once the benchmark ended); see {@link Result#released}. */
  StageStatus serverReleased(String how) {
    return with(new Result(result.artifacts(), result.metrics(), result.info(), result.simulated(), how));
  }

  /** With the pod's last progress line, as merged in by a client. */
  public StageStatus withProgress(String pod, String line) {
    Launch withPod = pod == null ? launch
        : new Launch(launch.count(), launch.startedAt(), launch.finishedAt(), launch.objectName(), pod);
    return new StageStatus(stage, state, identity, withPod, result, failure, line);
  }

  private StageStatus with(Launch l) {
    return new StageStatus(stage, state, identity, l, result, failure, progress);
  }

  private StageStatus with(Result r) {
    return new StageStatus(stage, state, identity, launch, r, failure, progress);
  }

  private StageStatus with(Failure f) {
    return new StageStatus(stage, state, identity, launch, result, f, progress);
  }

  /**
   * A result whose server the run does not hold up: released after the benchmark, or taken from
   * the cache (another run's server, which may be gone).
   */
  boolean serverGone() {
    return done() && (state == StageState.CACHED || result.released() != null);
  }

  boolean done() {
    return state == StageState.SUCCEEDED || state == StageState.CACHED;
  }
}
