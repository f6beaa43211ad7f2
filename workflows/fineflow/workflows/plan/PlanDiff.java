package fineflow.workflows.plan;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a re-plan changes, stage by stage, judged by cache key: the resume update shows it and
 * runs only the stages that are not {@link Change#KEPT} with a recorded result. A kept key
 * reuses nothing when the run never got a result under it, so a run's diff also says what the
 * run held for each stage ({@link Prior}).
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
    NOT_RUN
  }

  /**
   * @param beforeKey null for ADDED; @param afterKey null for REMOVED
   * @param prior null in a diff of two plans alone ({@link #between}), which knows no run
   */
  public record Entry(StageName stage, Change change, String beforeKey, String afterKey, Prior prior) {
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
    for (StageName name : names) {
      String b = before.stage(name).map(Stage::cacheKey).orElse(null);
      String a = after.stage(name).map(Stage::cacheKey).orElse(null);
      Change change = b == null ? Change.ADDED
          : a == null ? Change.REMOVED
          : b.equals(a) ? Change.KEPT : Change.RERUN;
      entries.add(new Entry(name, change, b, a, null));
    }
    return new PlanDiff(entries);
  }

  /** This diff with what a run held for each stage of the old plan (stages it lacks: none). */
  public PlanDiff withPriors(Map<StageName, Prior> priors) {
    return new PlanDiff(stages.stream().map(e -> new Entry(e.stage(), e.change(), e.beforeKey(),
        e.afterKey(), e.beforeKey() == null ? null : priors.getOrDefault(e.stage(), Prior.NOT_RUN))).toList());
  }

  public List<StageName> withChange(Change change) {
    return stages.stream().filter(e -> e.change() == change).map(Entry::stage).toList();
  }

  /** Stages whose recorded result carries over. */
  public List<StageName> kept() {
    return stages.stream().filter(Entry::reused).map(Entry::stage).toList();
  }

  /** Stages of the new plan that must run: re-runs, additions, and kept keys with no result. */
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
