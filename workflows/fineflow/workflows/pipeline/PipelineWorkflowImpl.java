package fineflow.workflows.pipeline;

import fineflow.workflows.estimate.Preflight;

import fineflow.workflows.contract.AwaitRequest;
import fineflow.workflows.contract.CacheEntry;
import fineflow.workflows.contract.CacheLookup;
import fineflow.workflows.contract.CacheQuery;
import fineflow.workflows.contract.CleanupRequest;
import fineflow.workflows.contract.CleanupResult;
import fineflow.workflows.contract.LaunchRequest;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.LaunchResult;
import fineflow.workflows.contract.PromoteRequest;
import fineflow.workflows.contract.PromoteResult;
import fineflow.workflows.contract.StageActivities;
import fineflow.workflows.contract.StageFailure;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.gate.BenchmarkSummary;
import fineflow.workflows.gate.GateVerdict;
import fineflow.workflows.gate.PromotionGate;
import fineflow.workflows.plan.OutputPin;
import fineflow.workflows.plan.PlanDiff;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.SloSpec;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * Runs the plan stage by stage: cached? else launch, await, record. A stage that fails
 * non-retryably pauses the run until {@code resume} (re-plan, go on) or {@code abort}.
 *
 * <p>Versioning: this code is replayed against the histories of running workflows (and the
 * stored history in the replay test). A change that alters the commands it emits for an
 * existing history must be guarded with {@code Workflow.getVersion("<change-id>",
 * Workflow.DEFAULT_VERSION, 1)} at the point of change.
 */
public class PipelineWorkflowImpl implements PipelineWorkflow {
  /** Failure type of an aborted run. */
  public static final String ABORTED = "Aborted";
  /** Failure type of an update that arrived when the run could not take it. */
  public static final String NOT_PAUSED = "NotPaused";
  /** Memo keys. */
  public static final String MEMO_SPEC_DIGEST = "specDigest";
  public static final String MEMO_SPEC_REVISION = "specRevision";
  /** Change id: the run (not the rollout) promotes a gated candidate after the benchmark. */
  static final String PROMOTION_GATE = "promotion-gate";
  /** Change id: a plan's model-fetch stage runs and its recorded sha re-keys the stages after it. */
  static final String MODEL_FETCH = "model-fetch";
  /**
   * Change id: model-fetch and dataset-prep run on every pass, a cache hit only telling what they
   * recorded last, and dataset-prep's recorded digest re-keys the stages after it (OutputPin).
   */
  static final String CONTENT_KEYS = "content-keys";
  static final String RELEASE_BASELINE = "release-baseline";
  /**
   * Change id: the baseline is up for one benchmark pass: released when the benchmark ends,
   * whatever the outcome, launched again for the next pass, and taken from the cache only with
   * the benchmark's own result (a recorded baseline names a server that may be gone).
   */
  static final String BASELINE_PER_BENCHMARK = "baseline-per-benchmark";

  private static final Logger LOG = Workflow.getLogger(PipelineWorkflowImpl.class);

  private final PipelineState state;

  @WorkflowInit
  public PipelineWorkflowImpl(PipelineRequest request) {
    // Built here, not in run(), so a query or update that arrives first finds the state.
    state = new PipelineState(request, now());
  }

  @Override
  public RunOutcome run(PipelineRequest request) {
    announce();
    showDetails();
    try {
      while (!runPlan()) {
        Workflow.await(() -> state.runState() != RunState.PAUSED || state.abortReason() != null);
        if (state.abortReason() != null) {
          throw abort();
        }
      }
    } catch (TemporalFailure failure) {
      if (!CancellationScope.current().isCancelRequested()) {
        throw failure;
      }
      throw cancel();
    }
    state.succeeded(now());
    showDetails();
    Workflow.upsertTypedSearchAttributes(RunSearchAttributes.STATE.valueSet(RunState.SUCCEEDED.id()));
    Workflow.await(Workflow::isEveryHandlerFinished);
    return state.outcome();
  }

  @Override
  public RunProgress progress() {
    return state.progress();
  }

  /**
   * A validator rejects with a plain exception, never a Temporal failure: the SDK logs a
   * TemporalFailure thrown by a handler or validator as "Workflow execution failure" with its
   * stack trace (WorkflowExecutionHandler.applyWorkflowFailurePolicyAndRethrow in
   * temporal-sdk), although only the update failed. A rejection is an expected answer to a
   * user, so the run logs it in one line instead.
   */
  @Override
  public void validateResume(ResumeRequest request) {
    try {
      String notPaused = notPaused("resume");
      if (notPaused != null) {
        throw new IllegalStateException(notPaused);
      }
      if (request.acceptCandidate()) {
        String problem = acceptProblem(request);
        if (problem != null) {
          throw new IllegalArgumentException(problem);
        }
        return;
      }
      Revision.next(state.spec(), state.planned(), state.plan(), request);
    } catch (IllegalArgumentException | IllegalStateException rejected) {
      throw logged("resume", rejected);
    }
  }

  @Override
  public PlanDiff resume(ResumeRequest request) {
    // Two updates validated in one workflow task both pass the validator; only one may act.
    requirePaused("resume");
    if (request.acceptCandidate()) {
      String problem = acceptProblem(request);
      if (problem != null) {
        throw ApplicationFailure.newFailure(problem, "InvalidPatch");
      }
      PlanDiff same = PlanDiff.between(state.plan(), state.plan());
      PlanDiff kept = same.withPriors(state.priors(same));
      state.acceptCandidate();
      showDetails();
      Workflow.upsertTypedSearchAttributes(RunSearchAttributes.STATE.valueSet(RunState.RUNNING.id()));
      return kept;
    }
    Revision next;
    try {
      next = Revision.next(state.spec(), state.planned(), state.plan(), request);
    } catch (IllegalArgumentException invalid) {
      throw ApplicationFailure.newFailure(invalid.getMessage(), "InvalidPatch");
    }
    // Before the revision replaces the rows: what the run held decides keep, retry or run.
    PlanDiff diff = next.diff().withPriors(state.priors(next.diff()));
    state.revised(next);
    showDetails();
    // Every accepted revision: a new model.id or backend must be what `history --model` finds.
    Workflow.upsertTypedSearchAttributes(
        RunSearchAttributes.STATE.valueSet(RunState.RUNNING.id()),
        RunSearchAttributes.REVISION.valueSet((long) state.revision()),
        RunSearchAttributes.MODEL.valueSet(state.spec().model().id()),
        RunSearchAttributes.BACKEND.valueSet(state.spec().serving().backend().wireName()));
    upsertMemo();
    return diff;
  }

  @Override
  public void validateAbort(AbortRequest request) {
    String notPaused = notPaused("abort");
    if (notPaused != null) {
      throw logged("abort", new IllegalStateException(notPaused));
    }
  }

  /** One line in the worker's log for a rejected update; not logged again on replay. */
  private RuntimeException logged(String update, RuntimeException rejected) {
    LOG.info("run {}: {} rejected: {}", state.runId(), update,
        String.join("; ", rejected.getMessage().strip().split("\\s*\\n\\s*")).replace(":; ", ": "));
    return rejected;
  }

  @Override
  public CleanupResult abort(AbortRequest request) {
    requirePaused("abort");
    state.aborting(request.reason());
    Workflow.await(() -> state.cleanup() != null);
    return state.cleanup();
  }

  /** False when a stage failed, or the promotion gate held the candidate, and the run paused. */
  private boolean runPlan() {
    // By index: model-fetch's recorded sha re-keys the stages after it (PipelineState.pinModel).
    for (int i = 0; i < state.plan().stages().size(); i++) {
      Stage stage = state.plan().stages().get(i);
      // Asked at the stage only: a run from before model-fetch meets it after a resume re-planned.
      if (stage.name() == StageName.MODEL_FETCH
          && Workflow.getVersion(MODEL_FETCH, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
        continue;
      }
      // Asked at these stages only, as above; runs from before keep their cached results.
      boolean pinned = OutputPin.alwaysRuns(stage.name());
      boolean contentKeys = pinned
          && Workflow.getVersion(CONTENT_KEYS, Workflow.DEFAULT_VERSION, 1) != Workflow.DEFAULT_VERSION;
      // Asked at these stages only, as above; runs from before keep the baseline they had.
      boolean server = stage.name() == StageName.BASELINE || stage.name() == StageName.BENCHMARK;
      boolean perBenchmark = server && baselinePerBenchmark();
      Optional<StageFailure> failure = perBenchmark && stage.name() == StageName.BASELINE
          ? baselineForBenchmark(stage)
          : state.done(stage) && !contentKeys ? Optional.empty()
          : runStage(stage, contentKeys);
      if (failure.isEmpty() && pinned) {
        failure = state.pin(stage, contentKeys || stage.name() == StageName.MODEL_FETCH);
      }
      if (perBenchmark && stage.name() == StageName.BENCHMARK) {
        leaveBaseline(failure.isPresent() ? StageStatus.RELEASED_BENCHMARK_FAILED
            : StageStatus.RELEASED_AFTER_BENCHMARK);
      }
      if (failure.isPresent()) {
        pause(stage, failure.get());
        return false;
      }
      if (!perBenchmark && stage.name() == StageName.BENCHMARK) {
        releaseBaseline();
      }
    }
    return promoteIfGated();
  }

  /** See {@link #BASELINE_PER_BENCHMARK}; false for a plan without a baseline. */
  private boolean baselinePerBenchmark() {
    if (state.plan().stage(StageName.BASELINE).isEmpty() || Workflow.getVersion(BASELINE_PER_BENCHMARK,
        Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
      return false;
    }
    state.baselinePerBenchmark();
    return true;
  }

  /**
   * The baseline for this pass's benchmark. Not needed when the benchmark has a result (this
   * run's, or the cache's for its key): the baseline's own result stands or comes from the
   * cache. Else launched (or joined: servers are shared by key), whatever the cache holds for
   * it, since the server a recorded baseline names was released by its benchmark; unless the
   * run still holds it (its release failed).
   */
  private Optional<StageFailure> baselineForBenchmark(Stage baseline) {
    Optional<Stage> benchmark = state.plan().stage(StageName.BENCHMARK);
    boolean needed = benchmark.isPresent() && !state.done(benchmark.get());
    if (state.done(baseline) && (!needed || !state.row(StageName.BASELINE).serverGone())) {
      return Optional.empty();
    }
    if (!needed) {
      return runStage(baseline, false);
    }
    StageActivities calls = Workflow.newLocalActivityStub(StageActivities.class,
        StageActivityOptions.LOCAL_DEFAULT, StageActivityOptions.local(baseline));
    try {
      Stage b = benchmark.get();
      if (calls.lookupCache(new CacheQuery(state.namespace(), b.name(), b.cacheKey())).hit()) {
        return state.done(baseline) ? Optional.empty() : runStage(baseline, false);
      }
    } catch (ActivityFailure failure) {
      return pausing(baseline, failure);
    }
    return launchAndRecord(baseline, calls);
  }

  /**
   * The run leaves the baseline server it launched for this benchmark pass (deleted when no
   * other run of the same key still uses it): it holds a GPU, and only the benchmark reads it.
   * Nothing to leave when the run did not launch it (a cached result) or left it already.
   */
  private void leaveBaseline(String how) {
    StageStatus row = state.row(StageName.BASELINE);
    if (row.state() != StageState.SUCCEEDED || row.result().released() != null) {
      return;
    }
    StageActivities cleanup = Workflow.newActivityStub(StageActivities.class, StageActivityOptions.cleanup());
    try {
      cleanup.cleanup(new CleanupRequest(state.runId(), clusterNamespace(), true,
          List.of(StageName.BASELINE.id())));
      state.releasedBaseline(how);
      showDetails();
    } catch (ActivityFailure failure) {
      if (CancellationScope.current().isCancelRequested()) {
        throw failure;
      }
      // Not a reason to fail or hold the run. The row says nothing released, the run stays its
      // user, and the warning names what stays up: until the next pass leaves it, or a cancel
      // or abort cleans up the run; after a success, until deleted by hand.
      LOG.warn("run {}: baseline not released: {}", state.runId(), failure.getCause().getMessage());
    }
  }

  /**
   * Runs from before {@link #BASELINE_PER_BENCHMARK}: once the benchmark has its numbers, the
   * run leaves the baseline (deleted when no other run of the same key still uses it). After a
   * success only: their failed benchmark's resume re-runs against the same baseline, which they
   * do not launch again.
   */
  private void releaseBaseline() {
    if (state.plan().stage(StageName.BASELINE).isEmpty()
        || Workflow.getVersion(RELEASE_BASELINE, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
      return;
    }
    StageActivities cleanup = Workflow.newActivityStub(StageActivities.class, StageActivityOptions.cleanup());
    try {
      cleanup.cleanup(new CleanupRequest(state.runId(), clusterNamespace(), true,
          List.of(StageName.BASELINE.id())));
    } catch (ActivityFailure failure) {
      // Not a reason to fail a run whose results are in; the warning names what stays up.
      Workflow.getLogger(PipelineWorkflowImpl.class).warn("baseline not released: {}",
          failure.getCause().getMessage());
    }
  }

  /**
   * A gated rollout left the candidate beside the stable server; the benchmark decides. Passed
   * (or accepted by the user): promote. Missed: pause with the comparison table, so the user
   * accepts, changes the spec, or aborts. False when the run paused.
   */
  private boolean promoteIfGated() {
    SloSpec slo = state.spec().serving().slo();
    if (!PromotionGate.isGated(slo) || state.gate().promoted()) {
      return true;
    }
    // Runs recorded before the gate existed completed here without promoting.
    if (Workflow.getVersion(PROMOTION_GATE, Workflow.DEFAULT_VERSION, 1)
        == Workflow.DEFAULT_VERSION) {
      return true;
    }
    Optional<Stage> rollout = state.plan().stage(StageName.ROLLOUT);
    if (rollout.isEmpty()) {
      return true;
    }
    // A gated plan without a benchmark stage has nothing that could pass: the gate fails.
    Stage shownOn = state.plan().stage(StageName.BENCHMARK).orElse(rollout.get());
    GateVerdict verdict = PromotionGate.evaluate(slo,
        BenchmarkSummary.fromMetrics(state.row(StageName.BENCHMARK).result().metrics()));
    state.gateEvaluated(verdict);
    if (!verdict.pass() && !state.gate().accepted()) {
      pauseAtGate(shownOn, sloNotMet(shownOn, verdict));
      return false;
    }
    String revision = state.row(StageName.ROLLOUT).result().info()
        .getOrDefault("revision", rollout.get().shortKey());
    StageActivities calls = Workflow.newActivityStub(StageActivities.class,
        StageActivityOptions.promote(revision));
    try {
      PromoteResult promoted = calls.promote(new PromoteRequest(state.runId(), clusterNamespace(),
          revision));
      state.promoted(promoted.revision(), promoted.stableService());
      return true;
    } catch (ActivityFailure failure) {
      if (CancellationScope.current().isCancelRequested()) {
        throw failure;
      }
      pauseAtGate(shownOn, FailureDetails.read(shownOn, failure));
      return false;
    }
  }

  private static StageFailure sloNotMet(Stage shownOn, GateVerdict verdict) {
    String missed = verdict.checks().stream().filter(c -> !c.pass())
        .map(c -> c.metric() + " at concurrency " + c.concurrency())
        .reduce((a, b) -> a + ", " + b).orElse("");
    return new StageFailure(shownOn.name().id(), FailureType.SLO_NOT_MET.type(),
        "the candidate missed its SLOs (" + missed + "); the stable Service is unchanged",
        "accept the candidate anyway (resume --accept), change serving.slo or the spec"
            + " (resume --set ...), or abort to remove the candidate",
        List.of(verdict.table().split("\n")));
  }

  private void pauseAtGate(Stage stage, StageFailure failure) {
    state.pausedAtGate(stage, failure, now());
    showDetails();
    Workflow.upsertTypedSearchAttributes(
        RunSearchAttributes.STAGE.valueSet(stage.name().id()),
        RunSearchAttributes.STATE.valueSet(RunState.PAUSED.id()));
  }

  /** Why an accept cannot apply, or null. */
  private String acceptProblem(ResumeRequest request) {
    if (!request.set().isEmpty() || request.replacesSpec()) {
      return "accepting the candidate changes no spec: give --accept without --set or a spec";
    }
    if (!state.pausedAtGate()) {
      return "run " + state.runId() + " is paused at stage " + state.pausedStage()
          + " by a failure, not by its promotion gate: there is no candidate to accept";
    }
    return null;
  }

  private String clusterNamespace() {
    String ns = state.namespace();
    return ns != null && !ns.isBlank() ? ns : state.spec().cluster().namespace();
  }

  /**
   * @param alwaysRuns the stage reads workspace inputs its key cannot cover (OutputPin): a hit
   *     only tells what the last run of the same key recorded, and the stage runs all the same
   */
  private Optional<StageFailure> runStage(Stage stage, boolean alwaysRuns) {
    StageActivities calls = Workflow.newLocalActivityStub(StageActivities.class,
        StageActivityOptions.LOCAL_DEFAULT, StageActivityOptions.local(stage));
    try {
      CacheLookup cached = calls.lookupCache(
          new CacheQuery(state.namespace(), stage.name(), stage.cacheKey()));
      if (cached.hit() && alwaysRuns) {
        state.recordedBefore(stage, cached.result());
      } else if (cached.hit()) {
        state.cached(stage, cached.result(), now());
        showDetails();
        return Optional.empty();
      }
    } catch (ActivityFailure failure) {
      return pausing(stage, failure);
    }
    return launchAndRecord(stage, calls);
  }

  /** Launches the stage until done and records its result: empty, or the failure to pause with. */
  private Optional<StageFailure> launchAndRecord(Stage stage, StageActivities calls) {
    try {
      Workflow.upsertTypedSearchAttributes(RunSearchAttributes.STAGE.valueSet(stage.name().id()));
      StageResult result = launchUntilDone(stage);
      state.succeeded(stage, result, now());
      showDetails();
      record(stage, result, calls);
      return Optional.empty();
    } catch (ActivityFailure failure) {
      return pausing(stage, failure);
    }
  }

  /** A stage's activity failed: the failure to pause with, unless the run is being cancelled. */
  private static Optional<StageFailure> pausing(Stage stage, ActivityFailure failure) {
    if (CancellationScope.current().isCancelRequested()) {
      throw failure;
    }
    return Optional.of(FailureDetails.read(stage, failure));
  }

  /** Launches the stage and awaits it; relaunches after transient deaths, within its policy. */
  private StageResult launchUntilDone(Stage stage) {
    StageRetryPolicy policy = StageRetryPolicy.forKind(stage.kind());
    for (int tries = 1; ; tries++) {
      int launch = state.launching(stage, now());
      String label = state.currentLaunch(stage).label();
      showDetails();
      // Stubs per launch, so each launch's activities carry its own summary (metadata only:
      // the commands, and so the replay, are the same).
      StageActivities calls = Workflow.newLocalActivityStub(StageActivities.class,
          StageActivityOptions.LOCAL_DEFAULT, StageActivityOptions.launch(stage, label));
      StageActivities waits = Workflow.newActivityStub(StageActivities.class,
          StageActivityOptions.REMOTE_DEFAULT, StageActivityOptions.remote(stage, label));
      LaunchResult launched = calls.launch(new LaunchRequest(state.runId(), state.namespace(),
          stage, launch, state.plan().specDigest(), state.spec().cluster()));
      state.launched(stage, launched.objectName(), launched.adopted());
      showDetails();
      try {
        return waits.await(new AwaitRequest(state.runId(), state.namespace(), stage,
            launched.objectName(), state.spec().cluster(), memoryEstimate(stage)));
      } catch (ActivityFailure failure) {
        if (CancellationScope.current().isCancelRequested() || tries >= policy.launches()
            || !FailureDetails.relaunchable(failure)) {
          throw failure;
        }
        state.relaunching(stage, FailureDetails.read(stage, failure), now());
        showDetails();
        Workflow.sleep(policy.delayBefore(tries + 1));
      }
    }
  }

  /**
   * The run's current details in the Temporal UI: the stage table as Markdown. Not a command
   * (the SDK answers it from memory through the metadata query), so it never affects a replay.
   */
  private void showDetails() {
    Workflow.setCurrentDetails(StageTable.markdown(state.progress()));
  }

  /** A result that cannot be recorded only costs a re-run in a later run: note it, go on. */
  private void record(Stage stage, StageResult result, StageActivities calls) {
    try {
      calls.recordCache(new CacheEntry(state.namespace(), state.runId(), stage.cacheKey(), result));
    } catch (ActivityFailure failure) {
      if (CancellationScope.current().isCancelRequested()) {
        throw failure;
      }
      state.notCached(stage, FailureDetails.read(stage, failure).message());
    }
  }

  private void pause(Stage stage, StageFailure failure) {
    state.paused(stage, failure, now());
    showDetails();
    Workflow.upsertTypedSearchAttributes(
        RunSearchAttributes.STAGE.valueSet(stage.name().id()),
        RunSearchAttributes.STATE.valueSet(RunState.PAUSED.id()));
  }

  /** Deletes the run's objects, ends the paused stage as failed, and fails the run. */
  private ApplicationFailure abort() {
    StageName stage = state.pausedStage();
    String cleanupProblem = cleanUp();
    state.aborted(now());
    showDetails();
    Workflow.upsertTypedSearchAttributes(RunSearchAttributes.STATE.valueSet(RunState.FAILED.id()));
    Workflow.await(Workflow::isEveryHandlerFinished);
    return ApplicationFailure.newNonRetryableFailure("Aborted at stage " + stage + ": "
        + state.abortReason() + cleanupProblem, ABORTED);
  }

  /** Cleanup must run although the run's scope is cancelled, hence the detached scope. */
  private CanceledFailure cancel() {
    StageName stage = state.currentStage();
    Workflow.newDetachedCancellationScope(() -> {
      state.cancelled(now());
      showDetails();
      Workflow.upsertTypedSearchAttributes(
          RunSearchAttributes.STATE.valueSet(RunState.CANCELLED.id()));
      cleanUp();
    }).run();
    return new CanceledFailure("run cancelled" + (stage == null ? "" : " at stage " + stage));
  }

  /** Returns "" or why the cleanup failed, for the run's final message. */
  private String cleanUp() {
    StageActivities cleanup = Workflow.newActivityStub(StageActivities.class,
        StageActivityOptions.cleanup());
    try {
      state.cleanedUp(cleanup.cleanup(new CleanupRequest(state.runId(), clusterNamespace(), true)));
      return "";
    } catch (ActivityFailure failure) {
      state.cleanedUp(new CleanupResult(List.of()));
      return " (cleanup failed: " + failure.getCause().getMessage() + ")";
    }
  }

  /** Sets what the starter did not (RunOptions sets all of it, saving two events). */
  private void announce() {
    if (!Workflow.getTypedSearchAttributes().containsKey(RunSearchAttributes.STATE)) {
      Workflow.upsertTypedSearchAttributes(
          RunSearchAttributes.MODEL.valueSet(state.spec().model().id()),
          RunSearchAttributes.BACKEND.valueSet(state.spec().serving().backend().wireName()),
          RunSearchAttributes.STATE.valueSet(RunState.RUNNING.id()),
          RunSearchAttributes.REVISION.valueSet((long) state.revision()));
    }
    if (Workflow.getMemo(MEMO_SPEC_DIGEST, String.class) == null) {
      upsertMemo();
    }
  }

  private void upsertMemo() {
    Workflow.upsertMemo(Map.of(MEMO_SPEC_DIGEST, state.plan().specDigest(),
        MEMO_SPEC_REVISION, state.revision()));
  }

  /**
   * For a handler: its validator passed, but a second update validated in the same workflow task
   * got there first. Only an ApplicationFailure fails an update without failing the task.
   */
  private void requirePaused(String update) {
    String problem = notPaused(update);
    if (problem != null) {
      throw ApplicationFailure.newFailure(problem, NOT_PAUSED);
    }
  }

  /** Why the run cannot take {@code update} now, or null when it is paused. */
  private String notPaused(String update) {
    if (state.runState() != RunState.PAUSED || state.abortReason() != null) {
      return "cannot " + update + " run " + state.runId() + ": it is "
          + (state.abortReason() != null ? "being aborted" : state.runState().id()) + ", not paused";
    }
    return null;
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }

  /** For the out-of-memory hint of the training stage: what the preflight expected. */
  private String memoryEstimate(Stage stage) {
    return stage.name() == StageName.TRAIN ? Preflight.summary(state.spec()).orElse(null) : null;
  }
}
