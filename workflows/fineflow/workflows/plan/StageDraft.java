package fineflow.workflows.plan;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A stage before its cache key is known: paths of its own output are written as
 * {@link CacheKey#OUT}. {@link #resolve} hashes it, puts the real directory in, and renders the
 * argv from the resolved parameters: the one render.
 */
record StageDraft(
    StageName name,
    StageKind kind,
    String image,
    StageParams params,
    Map<String, String> env,
    List<SecretEnv> secretEnv,
    Resources resources,
    List<VolumeMount> volumes,
    long timeoutSeconds,
    long expectedSeconds,
    List<StageName> consumes,
    List<ArtifactRef> produces,
    String summary,
    Map<String, String> files,
    List<ImageCopy> imageCopies) {

  StageDraft {
    Objects.requireNonNull(params, "params");
    env = Map.copyOf(env);
    secretEnv = List.copyOf(secretEnv);
    volumes = List.copyOf(volumes);
    consumes = List.copyOf(consumes);
    produces = List.copyOf(produces);
    files = Map.copyOf(files);
    imageCopies = List.copyOf(imageCopies);
  }

  /** A draft without image copies. */
  StageDraft(StageName name, StageKind kind, String image, StageParams params,
      Map<String, String> env, List<SecretEnv> secretEnv, Resources resources,
      List<VolumeMount> volumes, long timeoutSeconds, long expectedSeconds,
      List<StageName> consumes, List<ArtifactRef> produces, String summary,
      Map<String, String> files) {
    this(name, kind, image, params, env, secretEnv, resources, volumes, timeoutSeconds,
        expectedSeconds, consumes, produces, summary, files, List.of());
  }

  /** The stage's own output directory, mounted read-write. */
  static VolumeMount outputMount() {
    return new VolumeMount(CacheKey.OUT, CacheKey.OUT, false);
  }

  Stage resolve(List<String> consumedKeys) {
    String key = CacheKey.of(this, consumedKeys);
    String out = Workspace.outputDir(name, key);
    UnaryOperator<String> sub = s -> s.replace(CacheKey.OUT, out);
    String outSubPath = Workspace.subPath(out).orElseThrow();
    StageParams resolved = StageParams.substituted(params, sub);
    return new Stage(name, kind, image, resolved.argv(),
        env,
        secretEnv,
        resources,
        volumes.stream()
            .map(v -> new VolumeMount(v.subPath().replace(CacheKey.OUT, outSubPath),
                sub.apply(v.mountPath()), v.readOnly()))
            .toList(),
        timeoutSeconds,
        expectedSeconds,
        consumes,
        produces.stream().map(a -> new ArtifactRef(a.name(), sub.apply(a.path()))).toList(),
        key,
        sub.apply(summary),
        files,
        imageCopies,
        resolved);
  }
}
