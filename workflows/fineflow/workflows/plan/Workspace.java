package fineflow.workflows.plan;

import fineflow.workflows.spec.WorkspacePath;
import java.util.Optional;

/**
 * Paths on the workspace volume (the PVC mounted at {@value #ROOT} in every stage pod). Every
 * sub-path is mounted at {@code ROOT/<sub-path>}, so a path written into one stage's argv (an
 * engine dir in a Triton config, say) means the same file in every later stage.
 */
public final class Workspace {
  public static final String ROOT = WorkspacePath.ROOT;
  /** Hugging Face cache shared by all stages, so the base model is downloaded once. */
  public static final String HF_HOME = ROOT + "/hf-cache";
  /** Content-addressed stage outputs: {@code cache/<stage>-<key12>}. */
  public static final String CACHE = ROOT + "/cache";

  private Workspace() {
  }

  /**
   * A spec path as seen in the pod: absolute paths under {@value #ROOT} are kept, relative ones
   * resolve under it (the validator has already rejected any other, with its line).
   */
  public static String resolve(String field, String path) {
    return WorkspacePath.resolve(field, path);
  }

  /** The stage output directory for a cache key. */
  public static String outputDir(StageName stage, String cacheKey) {
    return CACHE + "/" + stage.id() + "-" + cacheKey.substring(0, 12);
  }

  /** A read-only mount of a workspace path, or empty for a path outside the workspace. */
  public static Optional<VolumeMount> readOnly(String absolutePath) {
    return subPath(absolutePath).map(sub -> new VolumeMount(sub, absolutePath, true));
  }

  public static VolumeMount readWrite(String absolutePath) {
    return new VolumeMount(subPath(absolutePath).orElseThrow(
        () -> new IllegalArgumentException(absolutePath + " is outside " + ROOT)),
        absolutePath, false);
  }

  static Optional<String> subPath(String absolutePath) {
    return absolutePath.startsWith(ROOT + "/")
        ? Optional.of(absolutePath.substring(ROOT.length() + 1))
        : Optional.empty();
  }
}
