package fineflow.workflows.plan;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The ordered stages of one spec revision.
 *
 * @param specDigest sha256 of the canonical spec JSON the plan was made from
 * @param pins what model-fetch and dataset-prep recorded, once the run has folded it in
 *     ({@link #pinned}), in pipeline order; empty in a plan made from a spec alone, whose stages
 *     after them still name {@link OutputPin#placeholder}s
 */
// "modelPin": what plans held before pins of any stage (always null in a run's request, which
// carries a planned plan); runs started then are read back when a worker replays them.
@JsonIgnoreProperties({"modelPin"})
public record Plan(String pipeline, String specDigest, List<Stage> stages, List<OutputPin> pins) {
  public Plan {
    stages = List.copyOf(stages);
    // Null in plans stored before pins existed (the replay test's histories).
    pins = pins == null ? List.of() : List.copyOf(pins);
  }

  /** A plan made from a spec alone. */
  public Plan(String pipeline, String specDigest, List<Stage> stages) {
    this(pipeline, specDigest, stages, List.of());
  }

  public Optional<Stage> stage(StageName name) {
    return stages.stream().filter(s -> s.name() == name).findFirst();
  }

  /** The pin of {@code stage} folded into this plan, if any. */
  public Optional<OutputPin> pin(StageName stage) {
    return pins.stream().filter(p -> p.stage() == stage).findFirst();
  }

  /**
   * This planned plan with {@code pins} folded in: every stage that reads a pinned stage's
   * output, directly or through another stage, gets the digests in its argv (the model
   * snapshot's and the dataset folder's paths) and a key derived from its planned key and the
   * digests of every pinned stage it reads ({@link CacheKey#pinned}); its output directory
   * follows its key. A pin for another key of its stage (the spec changed what it reads: it runs
   * anew) is left out. Pure, so the workflow computes the same plan on every replay; always from
   * the planned plan, so a stage that ran again with another digest re-pins cleanly.
   *
   * @throws IllegalStateException when this plan is pinned already: pin the planned plan
   */
  public Plan pinned(List<OutputPin> pins) {
    if (!this.pins.isEmpty()) {
      throw new IllegalStateException("plan is pinned already (" + this.pins + "): pin the planned plan");
    }
    Map<StageName, OutputPin> applied = new LinkedHashMap<>();
    for (OutputPin pin : pins) {
      stage(pin.stage()).filter(s -> s.cacheKey().equals(pin.stageKey()))
          .ifPresent(s -> applied.put(pin.stage(), pin));
    }
    if (applied.isEmpty()) {
      return this;
    }
    Map<StageName, Set<StageName>> reads = pinnedReads();
    Map<String, String> dirs = new LinkedHashMap<>();
    Map<StageName, String> keys = new LinkedHashMap<>();
    for (Stage s : stages) {
      List<OutputPin> read = OutputPin.PINNED.stream().filter(reads.get(s.name())::contains)
          .filter(applied::containsKey).map(applied::get).toList();
      if (!read.isEmpty()) {
        String key = CacheKey.pinned(s.cacheKey(), read);
        keys.put(s.name(), key);
        // Matches the output dir in paths ("/workspace/cache/x-…") and sub-paths ("cache/x-…").
        dirs.put(dirName(s.name(), s.cacheKey()), dirName(s.name(), key));
        if (s.kind() == StageKind.DEPLOYMENT) {
          // A server's Service is named by its key: the benchmark's --url follows the new name.
          dirs.put(ServingEndpoint.serviceName(pipeline, s),
              ServingEndpoint.serviceName(pipeline, s.name(), key.substring(0, 12)));
        }
      }
    }
    UnaryOperator<String> sub = text -> {
      String out = text;
      for (OutputPin pin : applied.values()) {
        out = out.replace(OutputPin.placeholder(pin.stage()), pin.digest());
      }
      for (Map.Entry<String, String> d : dirs.entrySet()) {
        out = out.replace(d.getKey(), d.getValue());
      }
      return out;
    };
    // Every stage is substituted (dataset-prep's own artifacts name its digest's folder); only
    // the readers are re-keyed.
    List<Stage> pinnedStages = stages.stream()
        .map(s -> substituted(s, sub, keys.getOrDefault(s.name(), s.cacheKey()))).toList();
    List<OutputPin> order = OutputPin.PINNED.stream().filter(applied::containsKey)
        .map(applied::get).toList();
    return new Plan(pipeline, specDigest, pinnedStages, order);
  }

  /**
   * This planned plan (the patched spec's, as this code plans it) with every stage the patch
   * leaves alone under the key the run recorded: a stage that this code keys alike for the run's
   * spec ({@code unpatched}) and for the patched one keeps its key, output folder and server name
   * from {@code recorded} (the run's planned plan, made by whichever code started the run), and
   * the stages after it read its output, and call its server, by those names. So a run paused before an upgrade
   * that re-keyed its stages (a planner or cache-key change) re-runs after its resume only what
   * the patch changes, and its history replays on code that plans the patch alike.
   */
  public Plan keepingUnpatched(Plan unpatched, Plan recorded) {
    if (!pins.isEmpty() || !recorded.pins().isEmpty()) {
      throw new IllegalStateException("keep stages of planned plans, then pin");
    }
    Map<String, String> renamed = new LinkedHashMap<>();
    UnaryOperator<String> sub = text -> {
      String out = text;
      for (Map.Entry<String, String> r : renamed.entrySet()) {
        out = out.replace(r.getKey(), r.getValue());
      }
      return out;
    };
    List<Stage> result = new ArrayList<>();
    for (Stage s : stages) {
      boolean untouched = unpatched.stage(s.name())
          .filter(u -> u.cacheKey().equals(s.cacheKey())).isPresent();
      Optional<Stage> before = untouched ? recorded.stage(s.name()) : Optional.empty();
      String key = before.map(Stage::cacheKey).orElse(s.cacheKey());
      if (!key.equals(s.cacheKey())) {
        renamed.put(dirName(s.name(), s.cacheKey()), dirName(s.name(), key));
        if (s.kind() == StageKind.DEPLOYMENT) {
          renamed.put(ServingEndpoint.serviceName(pipeline, s),
              ServingEndpoint.serviceName(recorded.pipeline(), s.name(), key.substring(0, 12)));
        }
      }
      // The stage as this code plans it (its program reads this code's parameters; its timeout
      // and resources are the patched spec's), under the recorded key and output folder.
      result.add(renamed.isEmpty() ? s : substituted(s, sub, key));
    }
    return new Plan(pipeline, specDigest, result);
  }

  /** For each stage, the pinned stages it reads, directly or through other stages. */
  Map<StageName, Set<StageName>> pinnedReads() {
    Map<StageName, Set<StageName>> reads = new LinkedHashMap<>();
    for (Stage s : stages) {
      Set<StageName> r = EnumSet.noneOf(StageName.class);
      for (StageName consumed : s.consumes()) {
        if (OutputPin.alwaysRuns(consumed)) {
          r.add(consumed);
        }
        r.addAll(reads.getOrDefault(consumed, Set.of()));
      }
      reads.put(s.name(), r);
    }
    return reads;
  }

  /** The stages that read {@code pinned}'s output, directly or through others, in order. */
  public List<StageName> readersOf(StageName pinned) {
    List<StageName> out = new ArrayList<>();
    pinnedReads().forEach((stage, read) -> {
      if (read.contains(pinned)) {
        out.add(stage);
      }
    });
    return out;
  }

  private static String dirName(StageName name, String key) {
    return Workspace.subPath(Workspace.outputDir(name, key)).orElseThrow();
  }

  private static Stage substituted(Stage s, UnaryOperator<String> sub, String key) {
    Map<String, String> env = new LinkedHashMap<>();
    s.env().forEach((k, v) -> env.put(k, sub.apply(v)));
    Map<String, String> files = new LinkedHashMap<>();
    s.files().forEach((k, v) -> files.put(k, sub.apply(v)));
    StageParams params = StageParams.substituted(s.params(), sub);
    return new Stage(s.name(), s.kind(), s.image(),
        params != null ? params.argv() : s.argv().stream().map(sub).toList(), env,
        s.secretEnv(), s.resources(),
        s.volumes().stream().map(v -> new VolumeMount(sub.apply(v.subPath()),
            sub.apply(v.mountPath()), v.readOnly())).toList(),
        s.timeoutSeconds(), s.expectedSeconds(), s.consumes(),
        s.produces().stream().map(a -> new ArtifactRef(a.name(), sub.apply(a.path()))).toList(),
        key, sub.apply(s.summary()), files, s.imageCopies(), params);
  }
}
