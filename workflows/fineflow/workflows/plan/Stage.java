package fineflow.workflows.plan;

import java.util.List;
import java.util.Map;

/**
 * One planned stage: everything needed to run it and to decide whether it must run.
 *
 * @param argv the exact argument vector (never a shell string built from user text)
 * @param consumes names of the stages whose artifacts this one reads
 * @param cacheKey sha256 over image, argv, env and the cache keys of consumed stages
 * @param expectedSeconds typical duration; the await retry interval is derived from it
 * @param summary one line for the Temporal UI's activity summary
 * @param files small text files the container reads (absolute path → content), mounted
 *     read-only from a ConfigMap the executor creates, e.g. trtllm-serve's
 *     {@code extra_llm_api_options} YAML; part of the cache key
 * @param imageCopies directories copied out of other images before the container starts (init
 *     containers); part of the cache key
 * @param params the stage's parameters, which {@code argv} is rendered from ({@link
 *     StageParams#argv()}) and the cache key hashes; null only for a stage planned before there
 *     were parameters (a run's recorded history) or built by hand
 */
public record Stage(
    StageName name,
    StageKind kind,
    String image,
    List<String> argv,
    Map<String, String> env,
    List<SecretEnv> secretEnv,
    Resources resources,
    List<VolumeMount> volumes,
    long timeoutSeconds,
    long expectedSeconds,
    List<StageName> consumes,
    List<ArtifactRef> produces,
    String cacheKey,
    String summary,
    Map<String, String> files,
    List<ImageCopy> imageCopies,
    StageParams params) {

  public Stage {
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
    secretEnv = List.copyOf(secretEnv);
    volumes = List.copyOf(volumes);
    consumes = List.copyOf(consumes);
    produces = List.copyOf(produces);
    files = files == null ? Map.of() : Map.copyOf(files);
    imageCopies = imageCopies == null ? List.of() : List.copyOf(imageCopies);
  }

  /** A stage without parameters: its argv as given. */
  public Stage(StageName name, StageKind kind, String image, List<String> argv,
      Map<String, String> env, List<SecretEnv> secretEnv, Resources resources,
      List<VolumeMount> volumes, long timeoutSeconds, long expectedSeconds,
      List<StageName> consumes, List<ArtifactRef> produces, String cacheKey, String summary,
      Map<String, String> files, List<ImageCopy> imageCopies) {
    this(name, kind, image, argv, env, secretEnv, resources, volumes, timeoutSeconds,
        expectedSeconds, consumes, produces, cacheKey, summary, files, imageCopies, null);
  }

  /** A stage without image copies. */
  public Stage(StageName name, StageKind kind, String image, List<String> argv,
      Map<String, String> env, List<SecretEnv> secretEnv, Resources resources,
      List<VolumeMount> volumes, long timeoutSeconds, long expectedSeconds,
      List<StageName> consumes, List<ArtifactRef> produces, String cacheKey, String summary,
      Map<String, String> files) {
    this(name, kind, image, argv, env, secretEnv, resources, volumes, timeoutSeconds,
        expectedSeconds, consumes, produces, cacheKey, summary, files, List.of(), null);
  }

  /** A stage without mounted files. */
  public Stage(StageName name, StageKind kind, String image, List<String> argv,
      Map<String, String> env, List<SecretEnv> secretEnv, Resources resources,
      List<VolumeMount> volumes, long timeoutSeconds, long expectedSeconds,
      List<StageName> consumes, List<ArtifactRef> produces, String cacheKey, String summary) {
    this(name, kind, image, argv, env, secretEnv, resources, volumes, timeoutSeconds,
        expectedSeconds, consumes, produces, cacheKey, summary, Map.of(), List.of(), null);
  }

  /** This stage with another timeout (cluster.stageTimeoutSeconds); keys never include it. */
  public Stage withTimeout(long seconds) {
    return new Stage(name, kind, image, argv, env, secretEnv, resources, volumes, seconds,
        expectedSeconds, consumes, produces, cacheKey, summary, files, imageCopies, params);
  }

  /** The parameters as {@code type}, the record its planner made for this stage's kind. */
  public <T extends StageParams> T params(Class<T> type) {
    if (!type.isInstance(params)) {
      throw new IllegalArgumentException(name.id() + " was planned with "
          + (params == null ? "no parameters" : params.getClass().getSimpleName())
          + ", not " + type.getSimpleName() + ": plan the run again with this version");
    }
    return type.cast(params);
  }

  public boolean usesGpu() {
    return resources.gpus() > 0;
  }

  /** The first 12 hex digits, as shown in tables and used in names. */
  public String shortKey() {
    return cacheKey.substring(0, 12);
  }
}
