package fineflow.workflows.plan;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a re-plan changes, stage by stage, judged by cache key: the resume update shows it and
 * runs only the stages that are not {@link Change#KEPT} with a recorded result. A kept key
 * reuses nothing when the run never got a result under it, so a run's diff also says what the
 * run held for each stage ({@link Prior}). Each re-run says which input changed its key
 * ({@link Entry#why}). model-fetch and dataset-prep read workspace inputs no key covers and run
 * on every pass whatever their key ({@link OutputPin#alwaysRuns}, {@link Entry#checks}); the
 * stages after them keep their keys only while the digests they record stay the same.
 *
 * @param stages one entry per stage of either plan, in pipeline order
 */
public record PlanDiff(List<Entry> stages) {

  public enum Change {
    /** Same cache key: its recorded result, if the run has one ({@link Prior}), is reused. */
    KEPT,
    /** In both plans with a different key: runs again. */
    RERUN,
    /** Only in the new plan (e.g. benchmark switched on). */
    ADDED,
    /** Only in the old plan (e.g. benchmark switched off). */
    REMOVED
  }

  /** What a run held for a stage when it was re-planned. */
  public enum Prior {
    /** A result (succeeded or cached) under the stage's key then. */
    RESULT,
    /** Launched under its key then, and every launch failed (the stage the run paused at). */
    FAILED,
    /** Never ran under its key then (after the stage the run paused at). */
    NOT_RUN,
    /**
     * A server with a result under its key then, which the run no longer holds up (the baseline,
     * released after its benchmark or taken from the cache): launched again for the stage that
     * reads it, which runs.
     */
    RELEASED
  }

  /**
   * @param beforeKey null for ADDED; @param afterKey null for REMOVED
   * @param prior null in a diff of two plans alone ({@link #between}), which knows no run
   * @param why for a re-run, the input that changed its key, e.g. "dataset-prep's output changed
   *     (sha 1a2b3c4d5e6f → 3c4d5e6f7a8b)" or "its command changed"; for a kept stage that runs
   *     on every pass, why; else null
   */
  public record Entry(StageName stage, Change change, String beforeKey, String afterKey, Prior prior,
      String why) {
    public Entry(StageName stage, Change change, String beforeKey, String afterKey, Prior prior) {
      this(stage, change, beforeKey, afterKey, prior, null);
    }

    /** A kept key of a stage that runs on every pass: it re-reads its input, then re-keys. */
    public boolean checks() {
      return change == Change.KEPT && OutputPin.alwaysRuns(stage);
    }

    /** True when this stage's recorded result carries over: same key, and the run had one. */
    public boolean reused() {
      return change == Change.KEPT && (prior == null || prior == Prior.RESULT);
    }

    /** True when the stage runs under the new plan. */
    public boolean runs() {
      return change == Change.RERUN || change == Change.ADDED || (change == Change.KEPT && !reused());
    }
  }

  public PlanDiff {
    stages = List.copyOf(stages);
  }

  public static PlanDiff between(Plan before, Plan after) {
    Set<StageName> names = new LinkedHashSet<>();
    for (StageName name : StageName.values()) {
      if (before.stage(name).isPresent() || after.stage(name).isPresent()) {
        names.add(name);
      }
    }
    List<Entry> entries = new ArrayList<>();
    Map<StageName, Entry> byName = new EnumMap<>(StageName.class);
    Map<StageName, Set<StageName>> reads = after.pinnedReads();
    for (StageName name : names) {
      String b = before.stage(name).map(Stage::cacheKey).orElse(null);
      String a = after.stage(name).map(Stage::cacheKey).orElse(null);
      Change change = b == null ? Change.ADDED
          : a == null ? Change.REMOVED
          : b.equals(a) ? Change.KEPT : Change.RERUN;
      String why = change == Change.RERUN ? why(before, after, name, reads, byName)
          : change == Change.KEPT && OutputPin.alwaysRuns(name) ? ALWAYS_RUNS.get(name) : null;
      Entry entry = new Entry(name, change, b, a, null, why);
      byName.put(name, entry);
      entries.add(entry);
    }
    return new PlanDiff(entries);
  }

  private static final Map<StageName, String> ALWAYS_RUNS = Map.of(
      StageName.MODEL_FETCH, "runs on every pass: resolves the revision (or hashes the workspace"
          + " model) again, and the stages after it re-run if the sha changed",
      StageName.DATASET_PREP, "runs on every pass: reads the dataset file again, and the stages"
          + " after it re-run if its output's sha changed");

  /**
   * The first input that changed a re-run stage's key: a digest it is keyed by (the content a
   * pinned stage recorded), else a stage it reads whose key changed (named by what changed
   * that one), else its own command.
   */
  private static String why(Plan before, Plan after, StageName name,
      Map<StageName, Set<StageName>> reads, Map<StageName, Entry> earlier) {
    for (StageName pinned : OutputPin.PINNED) {
      if (!reads.getOrDefault(name, Set.of()).contains(pinned)) {
        continue;
      }
      Optional<OutputPin> b = before.pin(pinned);
      Optional<OutputPin> a = after.pin(pinned);
      if (b.isPresent() && a.isPresent() && !b.get().digest().equals(a.get().digest())) {
        return pinned.id() + "'s output changed (sha " + b.get().shortDigest() + " → "
            + a.get().shortDigest() + ")";
      }
    }
    for (StageName consumed : after.stage(name).map(Stage::consumes).orElse(List.of())) {
      Entry upstream = earlier.get(consumed);
      if (upstream == null || upstream.change() == Change.KEPT) {
        continue;
      }
      return upstream.change() == Change.ADDED ? consumed.id() + " was added"
          : OWN.equals(upstream.why()) ? consumed.id() + "'s command changed" : upstream.why();
    }
    for (StageName pinned : OutputPin.PINNED) {
      if (reads.getOrDefault(name, Set.of()).contains(pinned)
          && before.pin(pinned).isPresent() != after.pin(pinned).isPresent()) {
        return pinned.id() + "'s output is " + (after.pin(pinned).isPresent()
            ? "digested now" : "digested again when it runs");
      }
    }
    return OWN;
  }

  private static final String OWN = "its command changed";

  /** This diff with what a run held for each stage of the old plan (stages it lacks: none). */
  public PlanDiff withPriors(Map<StageName, Prior> priors) {
    return new PlanDiff(stages.stream().map(e -> new Entry(e.stage(), e.change(), e.beforeKey(),
        e.afterKey(), e.beforeKey() == null ? null : priors.getOrDefault(e.stage(), Prior.NOT_RUN),
        e.why())).toList());
  }

  public List<StageName> withChange(Change change) {
    return stages.stream().filter(e -> e.change() == change).map(Entry::stage).toList();
  }

  /** Stages whose recorded result carries over. */
  public List<StageName> kept() {
    return stages.stream().filter(Entry::reused).map(Entry::stage).toList();
  }

  /** Kept stages that run on every pass all the same (model-fetch, dataset-prep). */
  public List<StageName> checked() {
    return stages.stream().filter(Entry::checks).map(Entry::stage).toList();
  }

  /**
   * Stages of the new plan that must run for what the plans say: re-runs, additions, and kept
   * keys with no result. Besides these, the {@link #checked} stages run, and may re-key others.
   */
  public List<StageName> toRun() {
    return stages.stream().filter(Entry::runs).map(Entry::stage).toList();
  }

  public List<StageName> removed() {
    return withChange(Change.REMOVED);
  }

  /** The first stage that runs again, if any: where the resumed run picks up. */
  public Optional<StageName> firstToRun() {
    return toRun().stream().findFirst();
  }

  /** Every stage keeps its key: the plans run the same work. */
  public boolean unchanged() {
    return stages.stream().allMatch(e -> e.change() == Change.KEPT);
  }
}
