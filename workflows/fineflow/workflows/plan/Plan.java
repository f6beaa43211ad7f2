package fineflow.workflows.plan;

import java.util.HashSet;
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
 * @param modelPin what model-fetch recorded, once the run has folded it in ({@link #pinned});
 *     null in a plan made from a spec alone
 */
public record Plan(String pipeline, String specDigest, List<Stage> stages, ModelPin modelPin) {
  public Plan {
    stages = List.copyOf(stages);
  }

  /** A plan made from a spec alone: the stages after model-fetch still name {@link ModelFetch#SHA}. */
  public Plan(String pipeline, String specDigest, List<Stage> stages) {
    this(pipeline, specDigest, stages, null);
  }

  public Optional<Stage> stage(StageName name) {
    return stages.stream().filter(s -> s.name() == name).findFirst();
  }

  /**
   * The plan with model-fetch's recorded sha folded in: every stage that reads the model,
   * directly or through another stage, gets the sha in its argv (the snapshot path) and a key
   * derived from its planned key and the sha ({@link CacheKey#pinned}), and its output directory
   * follows its key. Pure, so the workflow computes the same plan on every replay. Unchanged
   * when the pin is for another model-fetch key (the model changed: it is fetched anew).
   *
   * @throws IllegalStateException when this plan is already pinned to another sha
   */
  public Plan pinned(ModelPin pin) {
    Optional<Stage> fetch = stage(StageName.MODEL_FETCH);
    if (fetch.isEmpty() || !fetch.get().cacheKey().equals(pin.modelFetchKey())
        || pin.equals(modelPin)) {
      return this;
    }
    if (modelPin != null) {
      throw new IllegalStateException("plan is pinned to " + modelPin.sha() + ", not " + pin.sha());
    }
    Set<StageName> reads = new HashSet<>(List.of(StageName.MODEL_FETCH));
    Map<String, String> dirs = new LinkedHashMap<>();
    Map<StageName, String> keys = new LinkedHashMap<>();
    for (Stage s : stages) {
      if (s.name() != StageName.MODEL_FETCH && s.consumes().stream().anyMatch(reads::contains)) {
        reads.add(s.name());
        String key = CacheKey.pinned(s.cacheKey(), pin.sha());
        keys.put(s.name(), key);
        // Matches the output dir in paths ("/workspace/cache/x-…") and sub-paths ("cache/x-…").
        dirs.put(dirName(s.name(), s.cacheKey()), dirName(s.name(), key));
      }
    }
    UnaryOperator<String> sub = text -> {
      String out = text.replace(ModelFetch.SHA, pin.sha());
      for (Map.Entry<String, String> d : dirs.entrySet()) {
        out = out.replace(d.getKey(), d.getValue());
      }
      return out;
    };
    List<Stage> pinnedStages = stages.stream().map(s -> keys.containsKey(s.name())
        ? substituted(s, sub, keys.get(s.name())) : s).toList();
    return new Plan(pipeline, specDigest, pinnedStages, pin);
  }

  private static String dirName(StageName name, String key) {
    return Workspace.subPath(Workspace.outputDir(name, key)).orElseThrow();
  }

  private static Stage substituted(Stage s, UnaryOperator<String> sub, String key) {
    Map<String, String> env = new LinkedHashMap<>();
    s.env().forEach((k, v) -> env.put(k, sub.apply(v)));
    Map<String, String> files = new LinkedHashMap<>();
    s.files().forEach((k, v) -> files.put(k, sub.apply(v)));
    return new Stage(s.name(), s.kind(), s.image(), s.argv().stream().map(sub).toList(), env,
        s.secretEnv(), s.resources(),
        s.volumes().stream().map(v -> new VolumeMount(sub.apply(v.subPath()),
            sub.apply(v.mountPath()), v.readOnly())).toList(),
        s.timeoutSeconds(), s.expectedSeconds(), s.consumes(),
        s.produces().stream().map(a -> new ArtifactRef(a.name(), sub.apply(a.path()))).toList(),
        key, sub.apply(s.summary()), files, s.imageCopies());
  }
}
