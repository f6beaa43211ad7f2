package fineflow.workflows.pipeline;

import fineflow.workflows.contract.CleanupResult;
import fineflow.workflows.contract.FailureType;
import fineflow.workflows.contract.StageFailure;
import fineflow.workflows.contract.StageResult;
import fineflow.workflows.gate.GateVerdict;
import fineflow.workflows.gate.PromotionGate;
import fineflow.workflows.plan.OutputPin;
import fineflow.workflows.plan.Plan;
import fineflow.workflows.plan.PlanDiff;
import fineflow.workflows.plan.Stage;
import fineflow.workflows.plan.StageName;
import fineflow.workflows.spec.PipelineSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Everything a run knows about itself, in one object that the run method and the message
 * handlers share. Only the workflow thread touches it, so it needs no locking.
 */
final class PipelineState {
  private final String runId;
  private final String namespace;
  private final Instant startedAt;
  private PipelineSpec spec;
  /** The plan as the planner made it; {@link #plan} is it with {@link #pins} folded in. */
  private Plan planned;
  private Plan plan;
  /** What model-fetch and dataset-prep recorded in this run, for their current keys. */
  private final Map<StageName, OutputPin> pins = new EnumMap<>(StageName.class);
  /** What the cache held for model-fetch and dataset-prep before they ran again. */
  private final Map<StageName, StageResult> recordedBefore = new EnumMap<>(StageName.class);
  private int revision = 1;
  private RunState runState = RunState.RUNNING;
  private final Map<StageName, StageStatus> rows = new EnumMap<>(StageName.class);
  private StageName currentStage;
  private StageName pausedStage;
  private String abortReason;
  private CleanupResult cleanup;
  private Instant finishedAt;
  private GateStatus gate = GateStatus.NONE;
  /**
   * The succeeded row of the stage a gate pause (SLOs missed, promotion failed) is shown on:
   * the stage itself did not fail, so an accept or a resume that keeps its key restores it.
   */
  private StageStatus heldRow;
  /** See {@link #baselinePerBenchmark()}. */
  private boolean baselinePerBenchmark;
  /** Every launch of every stage, in launch order; kept for the whole run. */
  private final List<StageLaunch> launches = new ArrayList<>();

  PipelineState(PipelineRequest request, Instant now) {
    this.runId = request.runId();
    this.namespace = request.namespace();
    this.startedAt = now;
    this.spec = request.spec();
    this.planned = request.plan();
    this.plan = planned;
    for (StageName name : StageName.values()) {
      rows.put(name, StageStatus.skipped(name));
    }
    for (Stage stage : plan.stages()) {
      rows.put(stage.name(), StageStatus.pending(stage));
    }
  }

  String runId() {
    return runId;
  }

  String namespace() {
    return namespace;
  }

  PipelineSpec spec() {
    return spec;
  }

  Plan plan() {
    return plan;
  }

  /** The plan as planned (no pins folded in): what a resume keeps the untouched stages of. */
  Plan planned() {
    return planned;
  }

  int revision() {
    return revision;
  }

  RunState runState() {
    return runState;
  }

  String abortReason() {
    return abortReason;
  }

  CleanupResult cleanup() {
    return cleanup;
  }

  StageName currentStage() {
    return currentStage;
  }

  StageName pausedStage() {
    return pausedStage;
  }

  GateStatus gate() {
    return gate;
  }

  StageStatus row(StageName name) {
    return rows.get(name);
  }

  /** True while the run waits on its promotion gate rather than on a failed stage. */
  boolean pausedAtGate() {
    return runState == RunState.PAUSED && heldRow != null;
  }

  void gateEvaluated(GateVerdict verdict) {
    gate = gate.evaluated(verdict);
  }

  void promoted(String revision, String stableService) {
    gate = gate.promotedTo(revision, stableService);
  }

  /** Pauses at the gate, showing why on the (succeeded) stage's row. */
  void pausedAtGate(Stage stage, StageFailure failure, Instant now) {
    heldRow = rows.get(stage.name());
    paused(stage, failure, now);
  }

  /** {@code resume --accept}: the held row is back, the run goes on to promote. */
  void acceptCandidate() {
    rows.put(heldRow.stage(), heldRow);
    heldRow = null;
    gate = gate.accepting();
    pausedStage = null;
    runState = RunState.RUNNING;
  }

  /** Succeeded or cached under the stage's current cache key: nothing to do. */
  boolean done(Stage stage) {
    return rows.get(stage.name()).done();
  }

  void cached(Stage stage, StageResult result, Instant now) {
    rows.put(stage.name(), rows.get(stage.name()).cached(result, now));
  }

  /** Counts a new launch of the stage and returns its number (1 for the first). */
  int launching(Stage stage, Instant now) {
    currentStage = stage.name();
    StageStatus row = rows.get(stage.name()).launching(now);
    rows.put(stage.name(), row);
    launches.add(StageLaunch.started(stage.name(), row.launch().count(), revision, now));
    return row.launch().count();
  }

  /** The launch the stage runs now (its latest), e.g. for its activity summaries. */
  StageLaunch currentLaunch(Stage stage) {
    for (int i = launches.size() - 1; i >= 0; i--) {
      if (launches.get(i).stage() == stage.name()) {
        return launches.get(i);
      }
    }
    throw new IllegalStateException(stage.name() + " was not launched");
  }

  void launched(Stage stage, String objectName, boolean adopted) {
    rows.put(stage.name(), rows.get(stage.name()).launched(objectName));
    updateRunning(stage.name(), l -> l.launched(objectName, adopted));
  }

  void succeeded(Stage stage, StageResult result, Instant now) {
    rows.put(stage.name(), rows.get(stage.name()).succeeded(result, now));
    updateRunning(stage.name(), l -> l.succeeded(result.podName(), now));
  }

  /** Replaces the stage's running launch, if it has one (a gate pause has none). */
  private void updateRunning(StageName stage, UnaryOperator<StageLaunch> change) {
    for (int i = launches.size() - 1; i >= 0; i--) {
      StageLaunch l = launches.get(i);
      if (l.stage() == stage && l.running()) {
        launches.set(i, change.apply(l));
        return;
      }
    }
  }

  /** The result the cache held for an always-run stage that ran again all the same. */
  void recordedBefore(Stage stage, StageResult result) {
    recordedBefore.put(stage.name(), result);
  }

  /**
   * Folds the digest model-fetch or dataset-prep recorded into the plan ({@link Plan#pinned}):
   * the stages that read its output get the digest's paths and keys that include it. A stage
   * re-keyed because the digest differs from what this run recorded before (a pass before a
   * resume) or what the cache held for the same key (the last run of that input) says so in its
   * row. Empty when pinned, or when {@code required} is false and the result holds no digest
   * (a run recorded before dataset-prep recorded one); else the failure to pause with.
   */
  Optional<StageFailure> pin(Stage stage, boolean required) {
    Map<String, String> info = rows.get(stage.name()).result().info();
    Optional<OutputPin> pin = OutputPin.fromResult(stage.name(), stage.cacheKey(), info);
    if (pin.isEmpty()) {
      return !required ? Optional.empty()
          : Optional.of(new StageFailure(stage.name().id(), FailureType.OUTPUT_INVALID.type(),
              stage.name().id() + " recorded no content sha (result info " + info + "), so the"
                  + " stages after it cannot be keyed by what they read",
              "check that the " + stage.name().id() + " image runs fineflow's program for it"
                  + " (model_fetch.py, fineflow stage dataset-prep), then change the spec and resume",
              List.of()));
    }
    Optional<OutputPin> cached = Optional.ofNullable(recordedBefore.remove(stage.name()))
        .flatMap(r -> OutputPin.fromResult(stage.name(), stage.cacheKey(), r.info()));
    OutputPin before = Optional.ofNullable(pins.get(stage.name()))
        .filter(p -> p.stageKey().equals(stage.cacheKey())).or(() -> cached).orElse(null);
    pins.put(stage.name(), pin.get());
    Plan next = planned.pinned(List.copyOf(pins.values()));
    Map<StageName, String> why = new EnumMap<>(StageName.class);
    if (before != null && !before.digest().equals(pin.get().digest())) {
      Map<StageName, OutputPin> was = new EnumMap<>(pins);
      was.put(stage.name(), before);
      PlanDiff.between(planned.pinned(List.copyOf(was.values())), next).stages().stream()
          .filter(e -> e.change() == PlanDiff.Change.RERUN)
          .forEach(e -> why.put(e.stage(), e.why()));
    }
    plan = next;
    for (Stage s : plan.stages()) {
      rows.put(s.name(), rows.get(s.name()).replanned(s, why.get(s.name())));
    }
    return Optional.empty();
  }

  void notCached(Stage stage, String why) {
    rows.put(stage.name(), rows.get(stage.name()).noted("result not recorded in the cache: " + why));
  }

  /** A transient failure the workflow answers with a relaunch. */
  void relaunching(Stage stage, StageFailure failure, Instant now) {
    rows.put(stage.name(), rows.get(stage.name()).failed(StageState.RUNNING, failure, now));
    updateRunning(stage.name(), l -> l.failed(failure, false, now));
  }

  void paused(Stage stage, StageFailure failure, Instant now) {
    runState = RunState.PAUSED;
    pausedStage = stage.name();
    rows.put(stage.name(), rows.get(stage.name()).failed(StageState.PAUSED, failure, now));
    updateRunning(stage.name(), l -> l.failed(failure, true, now));
  }

  /**
   * What the run holds for each planned stage, for the resume {@code diff}: a result, a failure
   * (the stage it paused at, unless the pause is the gate's on a stage that succeeded), or
   * nothing. A baseline whose server the run no longer holds (released after its benchmark, or
   * taken from the cache) is {@code RELEASED} when the new plan's benchmark runs: it is launched
   * again for it ({@link #baselinePerBenchmark}).
   */
  Map<StageName, PlanDiff.Prior> priors(PlanDiff diff) {
    Map<StageName, PlanDiff.Prior> priors = new EnumMap<>(StageName.class);
    for (Stage stage : plan.stages()) {
      StageStatus row = rows.get(stage.name());
      boolean held = heldRow != null && heldRow.stage() == stage.name();
      priors.put(stage.name(), row.done() || held ? PlanDiff.Prior.RESULT
          : row.state() == StageState.PAUSED ? PlanDiff.Prior.FAILED
          : PlanDiff.Prior.NOT_RUN);
    }
    if (baselinePerBenchmark && rows.get(StageName.BASELINE).serverGone()
        && diff.withPriors(priors).stages().stream()
            .anyMatch(e -> e.stage() == StageName.BENCHMARK && e.runs())) {
      priors.put(StageName.BASELINE, PlanDiff.Prior.RELEASED);
    }
    return priors;
  }

  /**
   * From the baseline stage on, the run launches the baseline for each benchmark pass and
   * releases it when the benchmark ends, whatever the outcome (a workflow version: runs from
   * before keep the baseline they had).
   */
  void baselinePerBenchmark() {
    baselinePerBenchmark = true;
  }

  /** The run left the baseline server; the row says so ({@link StageStatus#released}). */
  void releasedBaseline(String how) {
    rows.put(StageName.BASELINE, rows.get(StageName.BASELINE).serverReleased(how));
  }

  /** An accepted resume: the new spec and plan; rows whose cache key changed start over. */
  void revised(Revision next) {
    spec = next.spec();
    planned = next.planned();
    plan = next.plan();
    // The digests that still hold for their stages' keys; the others are recorded anew.
    pins.clear();
    next.plan().pins().forEach(p -> pins.put(p.stage(), p));
    revision++;
    if (heldRow != null) {
      // Kept below when its key is unchanged: the gate is then checked again, not re-measured.
      rows.put(heldRow.stage(), heldRow);
      heldRow = null;
    }
    gate = GateStatus.NONE;
    List<StageName> inPlan = new ArrayList<>();
    Map<StageName, String> why = new EnumMap<>(StageName.class);
    next.diff().stages().stream().filter(e -> e.change() == PlanDiff.Change.RERUN && e.why() != null)
        .forEach(e -> why.put(e.stage(), e.why()));
    for (Stage stage : plan.stages()) {
      inPlan.add(stage.name());
      rows.put(stage.name(), rows.get(stage.name()).replanned(stage, why.get(stage.name())));
    }
    for (StageName name : StageName.values()) {
      if (!inPlan.contains(name)) {
        rows.put(name, StageStatus.skipped(name));
      }
    }
    pausedStage = null;
    runState = RunState.RUNNING;
  }

  void aborting(String reason) {
    abortReason = reason;
  }

  void cleanedUp(CleanupResult result) {
    cleanup = result;
  }

  /** Aborted while paused: the paused stage failed for good. */
  void aborted(Instant now) {
    if (pausedStage != null) {
      rows.put(pausedStage, rows.get(pausedStage).withState(StageState.FAILED, now));
    }
    runState = RunState.FAILED;
    finishedAt = now;
  }

  void cancelled(Instant now) {
    for (Map.Entry<StageName, StageStatus> row : rows.entrySet()) {
      StageState state = row.getValue().state();
      if (state == StageState.RUNNING || state == StageState.PAUSED) {
        row.setValue(row.getValue().withState(StageState.CANCELLED, now));
      }
    }
    launches.replaceAll(l -> l.running() ? l.cancelled(now) : l);
    runState = RunState.CANCELLED;
    finishedAt = now;
  }

  void succeeded(Instant now) {
    runState = RunState.SUCCEEDED;
    currentStage = null;
    finishedAt = now;
  }

  RunProgress progress() {
    return new RunProgress(runId, plan.pipeline(), spec.model().id(),
        spec.serving().backend().wireName(), plan.specDigest(), revision, runState, startedAt,
        finishedAt, currentStage, pausedStage, abortReason, List.copyOf(rows.values()),
        gate.gated() || !PromotionGate.isGated(spec.serving().slo()) ? gate
            : new GateStatus(true, null, false, null, null), List.copyOf(launches));
  }

  RunOutcome outcome() {
    return new RunOutcome(runId, plan.pipeline(), plan.specDigest(), revision,
        List.copyOf(rows.values()));
  }
}
