package fineflow.workflows.plan;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a re-plan changes, stage by stage, judged by cache key: the resume update shows it and
 * runs only the stages that are not {@link Change#KEPT}.
 *
 * @param stages one entry per stage of either plan, in pipeline order
 */
public record PlanDiff(List<Entry> stages) {

  public enum Change {
    /** Same cache key: its recorded result is reused. */
    KEPT,
    /** In both plans with a different key: runs again. */
    RERUN,
    /** Only in the new plan (e.g. benchmark switched on). */
    ADDED,
    /** Only in the old plan (e.g. benchmark switched off). */
    REMOVED
  }

  /** @param beforeKey null for ADDED; @param afterKey null for REMOVED */
  public record Entry(StageName stage, Change change, String beforeKey, String afterKey) {
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
      entries.add(new Entry(name, change, b, a));
    }
    return new PlanDiff(entries);
  }

  public List<StageName> withChange(Change change) {
    return stages.stream().filter(e -> e.change() == change).map(Entry::stage).toList();
  }

  public List<StageName> kept() {
    return withChange(Change.KEPT);
  }

  /** Stages of the new plan that must run: re-runs and additions. */
  public List<StageName> toRun() {
    return stages.stream()
        .filter(e -> e.change() == Change.RERUN || e.change() == Change.ADDED)
        .map(Entry::stage).toList();
  }

  public List<StageName> removed() {
    return withChange(Change.REMOVED);
  }

  /** The first stage that runs again, if any: where the resumed run picks up. */
  public Optional<StageName> firstToRun() {
    return toRun().stream().findFirst();
  }

  public boolean unchanged() {
    return stages.stream().allMatch(e -> e.change() == Change.KEPT);
  }
}
