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
    String summary) {

  public Stage {
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
    secretEnv = List.copyOf(secretEnv);
    volumes = List.copyOf(volumes);
    consumes = List.copyOf(consumes);
    produces = List.copyOf(produces);
  }

  public boolean usesGpu() {
    return resources.gpus() > 0;
  }

  /** The first 12 hex digits, as shown in tables and used in names. */
  public String shortKey() {
    return cacheKey.substring(0, 12);
  }
}
